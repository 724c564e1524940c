using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// LOGOUT writes the selected mbox back before it answers (GNU imap4d does too): a client that
/// has its OK may hand the file to a program that knows only the Status headers (fetchmail's
/// user running mutt, a second server with its own index).
/// </summary>
public class LogoutWriteBackTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("imap4d-logout-").FullName;
        File.WriteAllText(Path.Combine(_root, "INBOX"),
            "From alice@example.org Mon Nov  2 09:15:00 2026\nSubject: one\n\nfirst\n\n"
            + "From bob@example.net Tue Nov  3 18:02:41 2026\nSubject: two\n\nsecond\n");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', _root, "mbox", null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = $"mbox://{_root}/INBOX" },
        };
        return new MailStore(settings, "demo", _root, MailDrivers.CreateDefault(), _ => null);
    }

    [Test]
    public async Task TheFileHasTheFlagsWhenTheTaggedOkIsSent()
    {
        string? fileAtOk = null;
        void Probe(string line)
        {
            // Called as the server writes the line: before the client can have read it.
            if (line.StartsWith("S: x OK", StringComparison.Ordinal))
            {
                fileAtOk = File.ReadAllText(Path.Combine(_root, "INBOX"));
            }
        }

        var store = NewStore();
        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", _root), false),
            storeFactory: _ => store, onTranscriptLine: Probe);
        await client.ReadLineAsync();
        Assert.That((await client.CommandAsync("s", "SELECT INBOX"))[^1], Does.StartWith("s OK"));
        Assert.That((await client.CommandAsync("f", "STORE 1:2 +FLAGS (\\Seen)"))[^1], Does.StartWith("f OK"));
        Assert.That((await client.CommandAsync("g", "STORE 2 +FLAGS (\\Flagged)"))[^1], Does.StartWith("g OK"));
        var lines = await client.CommandAsync("x", "LOGOUT");
        Assert.That(lines[^1], Does.StartWith("x OK"));
        Assert.That(fileAtOk, Is.Not.Null, "the tagged OK was transcribed");
        var statuses = fileAtOk!.Split('\n').Where(l => l.StartsWith("Status: ", StringComparison.Ordinal)).ToList();
        Assert.That(statuses, Is.EqualTo(new[] { "Status: RO", "Status: ROF" }), fileAtOk);
        Assert.That(fileAtOk, Does.Contain("\nX-Status: F\n"));
    }
}
