using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Storage.State;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Status;

/// <summary>
/// RFC 7162 §3.1.2.3 / §3.1.10: a mailbox without persistent MODSEQs answers SELECT with
/// [NOMODSEQ] and STATUS (HIGHESTMODSEQ) with 0. An mbox in a directory that is not private to
/// the user, with no state directory, has nowhere to keep its index: it is such a mailbox.
/// </summary>
public class StatusNoModSeqTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("imap4d-nomodseq-").FullName;
        File.SetUnixFileMode(_root, (UnixFileMode)0x3FF | UnixFileMode.StickyBit); // 1777, like a spool
        foreach (string name in new[] { "INBOX", "other" })
        {
            File.WriteAllText(Path.Combine(_root, name), "From a@example.org Mon Dec  7 10:00:00 2026\nSubject: one\n\nbody\n\n");
        }
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task HighestModSeqOfAMailboxWithoutModSeqsIsZero()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', _root, "mbox", null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = $"mbox://{_root}/INBOX" },
        };
        var store = new MailStore(settings, "demo", _root, MailDrivers.CreateDefault(new UserStateDirectory(null)), _ => null);
        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", _root), false), storeFactory: _ => store);
        await client.ReadLineAsync();

        Assert.That(await client.CommandAsync("1", "STATUS other (MESSAGES HIGHESTMODSEQ)"), Has.Some.EqualTo("* STATUS other (MESSAGES 1 HIGHESTMODSEQ 0)"));
        var select = await client.CommandAsync("2", "SELECT INBOX (CONDSTORE)");
        Assert.That(select, Has.Some.StartsWith("* OK [NOMODSEQ]"), string.Join("\n", select));
        Assert.That(await client.CommandAsync("3", "STATUS INBOX (HIGHESTMODSEQ)"), Has.Some.EqualTo("* STATUS INBOX (HIGHESTMODSEQ 0)"));
        Assert.That(await client.CommandAsync("4", "STATUS other (HIGHESTMODSEQ)"), Has.Some.EqualTo("* STATUS other (HIGHESTMODSEQ 0)"));
    }
}
