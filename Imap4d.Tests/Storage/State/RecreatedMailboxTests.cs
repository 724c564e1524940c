using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Storage.State;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Storage.State;

/// <summary>
/// RFC 3501 §2.3.1.1: a mailbox deleted and created again under the same name gets a new
/// UIDVALIDITY, even within one second and over many cycles; and nothing the server kept for
/// the deleted one (index, FETCH cache) is served for the new one's messages.
/// </summary>
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public partial class RecreatedMailboxTests(string type)
{
    private const string OldMessage =
        "From: Old Sender <old@example.org>\r\nSubject: the deleted message\r\nContent-Type: text/plain\r\n\r\nold body\r\n";

    private const string NewMessage =
        "From: New Sender <new@example.org>\r\nSubject: the new message\r\nContent-Type: text/html\r\n\r\n<p>new body, longer</p>\r\n";

    private string _root = null!;
    private string _home = null!;
    private ServerSettings _settings = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("i4-recreate-").FullName;
        _home = Path.Combine(_root, "home");
        Directory.CreateDirectory(Path.Combine(_home, "mail"));
        _settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', Path.Combine(_home, "mail"), type, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = Path.Combine(_home, "mail", "INBOX"), MailboxType = type },
        };
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore() => new(_settings, "demo", _home,
        MailDrivers.CreateDefault(UserStateDirectory.For(null, "demo", _home)), _ => null);

    private TestClient NewClient() =>
        new(start: new SessionStart(new UserInfo("demo", _home), false), storeFactory: _ => NewStore());

    [Test]
    public async Task DeleteCreateAppendGivesANewUidValidityAndServesOnlyTheNewMessage()
    {
        await using var client = NewClient();
        await client.ReadLineAsync();
        await Ok(client, "CREATE X");
        await Append(client, "X", OldMessage);
        uint before = UidValidityOf(await Ok(client, "SELECT X"));
        string old = string.Join("\n", await Ok(client, "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])"));
        Assert.That(old, Does.Contain("the deleted message"), "the old message's items are now cached");
        await Ok(client, "CLOSE");

        await Ok(client, "DELETE X");
        var list = await Ok(client, "LIST \"\" X");
        Assert.That(list.Where(l => l.StartsWith("* LIST", StringComparison.Ordinal)), Is.Empty, "nothing of X is left");
        await Ok(client, "CREATE X");
        await Append(client, "X", NewMessage);
        var select = await Ok(client, "SELECT X");
        uint after = UidValidityOf(select);
        Assert.That(after, Is.Not.EqualTo(before), "a re-created mailbox gets a new UIDVALIDITY");

        string fetched = string.Join("\n", await Ok(client, "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[])"));
        Assert.That(fetched, Does.Not.Contain("deleted message").And.Not.Contain("old@example.org").And.Not.Contain("\"plain\""));
        Assert.That(fetched, Does.Contain("\"the new message\"").And.Contain("\"html\"").And.Contain("Subject: the new message"));
    }

    [Test]
    public async Task RenameTakesTheStateAlongAndLeavesNothingForANewMailboxOfTheOldName()
    {
        await using var client = NewClient();
        await client.ReadLineAsync();
        await Ok(client, "CREATE X");
        await Append(client, "X", OldMessage);
        uint before = UidValidityOf(await Ok(client, "SELECT X"));
        await Ok(client, "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])");
        await Ok(client, "CLOSE");

        await Ok(client, "RENAME X Y");
        Assert.That(string.Join("\n", await Ok(client, "STATUS Y (UIDVALIDITY MESSAGES)")), Does.Contain($"UIDVALIDITY {before}"), "the renamed mailbox keeps its UIDs");
        await Ok(client, "CREATE X");
        await Append(client, "X", NewMessage);
        Assert.That(UidValidityOf(await Ok(client, "SELECT X")), Is.Not.EqualTo(before));
        string fetched = string.Join("\n", await Ok(client, "FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])"));
        Assert.That(fetched, Does.Contain("the new message").And.Not.Contain("deleted message"));
        await Ok(client, "SELECT Y");
        Assert.That(string.Join("\n", await Ok(client, "FETCH 1 (ENVELOPE)")), Does.Contain("the deleted message"));
    }

    [Test]
    public async Task ManyCyclesInOneSecondNeverRepeatAUidValidity()
    {
        await using var first = NewClient();
        await using var second = NewClient();
        await first.ReadLineAsync();
        await second.ReadLineAsync();
        var seen = new List<uint>();
        for (int cycle = 0; cycle < 12; cycle++)
        {
            // Two sessions of the same user take turns, as two clients would.
            var client = cycle % 2 == 0 ? first : second;
            await Ok(client, "CREATE Cycle");
            await Append(client, "Cycle", cycle % 2 == 0 ? OldMessage : NewMessage);
            var status = string.Join("\n", await Ok(client, "STATUS Cycle (UIDVALIDITY MESSAGES)"));
            seen.Add(uint.Parse(StatusValidity().Match(status).Groups[1].Value));
            Assert.That(status, Does.Contain("MESSAGES 1"));
            await Ok(client, "DELETE Cycle");
        }

        Assert.That(seen, Is.Unique, string.Join(" ", seen));
    }

    private static async Task<List<string>> Ok(TestClient client, string command)
    {
        var lines = await client.CommandAsync("t", command);
        Assert.That(lines[^1], Does.StartWith("t OK"), command + "\n" + string.Join("\n", lines));
        return lines;
    }

    private static async Task Append(TestClient client, string mailbox, string message)
    {
        int length = Encoding.UTF8.GetByteCount(message);
        await Ok(client, $"APPEND {mailbox} {{{length}+}}\r\n{message}");
    }

    private static uint UidValidityOf(List<string> select) =>
        uint.Parse(SelectValidity().Match(string.Join("\n", select)).Groups[1].Value);

    [GeneratedRegex(@"\[UIDVALIDITY (\d+)\]")]
    private static partial Regex SelectValidity();

    [GeneratedRegex(@"UIDVALIDITY (\d+)")]
    private static partial Regex StatusValidity();
}
