using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// RFC 9051 behaviour that needs two sessions (or whole capability lines): another session's
/// flag changes reach an IMAP4rev2 session as FETCH with the UID (§7.5.2) and new messages without
/// RECENT (Appendix E item 12), while an IMAP4rev1 session gets what it always got; ENABLE does
/// not change CAPABILITY (§6.3.1). The rest is in Transcripts/imap4rev2.
/// </summary>
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class Imap4Rev2SessionTests(string type)
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("imap4d-rev2-").FullName;
        var store = NewStore();
        for (int i = 1; i <= 3; i++)
        {
            using var box = store.Open("INBOX", readOnly: true);
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: message {i}\r\n\r\nbody {i}\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);
        }
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore() => DiskSessions.NewStore(type, _root);

    private async Task<TestClient> ClientAsync(bool imap4rev2, bool select = true)
    {
        var client = await DiskSessions.ClientAsync(type, _root);
        if (imap4rev2)
        {
            Assert.That(await client.CommandAsync("e", "ENABLE IMAP4rev2"), Is.EqualTo(new[] { "* ENABLED IMAP4rev2", "e OK ENABLE Completed" }));
        }

        if (select)
        {
            var lines = await client.CommandAsync("s", "SELECT INBOX");
            Assert.That(lines[^1], Does.StartWith("s OK"), string.Join("\n", lines));
        }

        return client;
    }

    [Test]
    public async Task ChangesFromAnotherSessionCarryTheUidAndNoRecent()
    {
        await using var watcher = await ClientAsync(imap4rev2: true);
        await using var other = await ClientAsync(imap4rev2: false);
        Assert.That((await other.CommandAsync("t", "STORE 2 +FLAGS.SILENT (\\Flagged)"))[^1], Does.StartWith("t OK"));
        Assert.That((await other.CommandAsync("a", "APPEND INBOX {21+}\r\nSubject: new\r\n\r\nnew\r\n"))[^1], Does.StartWith("a OK"));

        var lines = await watcher.CommandAsync("n", "NOOP");
        Assert.That(lines, Is.EqualTo(new[] { "* 2 FETCH (UID 2 FLAGS (\\Flagged))", "* 4 EXISTS", "n OK NOOP Completed" }));
        Assert.That(await watcher.CommandAsync("f", "FETCH 1:* FLAGS"), Has.None.Contains("\\Recent"));
    }

    [Test]
    public async Task ChangesFromAnotherSessionReachAnImap4Rev1SessionAsBefore()
    {
        await using var watcher = await ClientAsync(imap4rev2: false);
        await using var other = await ClientAsync(imap4rev2: true);
        Assert.That((await other.CommandAsync("t", "STORE 2 +FLAGS.SILENT (\\Flagged)"))[^1], Does.StartWith("t OK"));
        Assert.That((await other.CommandAsync("a", "APPEND INBOX {21+}\r\nSubject: new\r\n\r\nnew\r\n"))[^1], Does.StartWith("a OK"));

        var lines = await watcher.CommandAsync("n", "NOOP");
        Assert.That(lines, Is.EqualTo(new[] { "* 2 FETCH (FLAGS (\\Flagged \\Recent))", "* 4 EXISTS", "* 3 RECENT", "n OK NOOP Completed" }));
    }

    [Test]
    public async Task EnableLeavesTheCapabilitiesAsTheyWere()
    {
        await using var client = await ClientAsync(imap4rev2: false, select: false);
        var before = await client.CommandAsync("c", "CAPABILITY");
        Assert.That(before[0], Does.StartWith("* CAPABILITY IMAP4rev1 IMAP4rev2 "));
        Assert.That((await client.CommandAsync("e", "ENABLE IMAP4rev2"))[0], Is.EqualTo("* ENABLED IMAP4rev2"));
        Assert.That(await client.CommandAsync("c", "CAPABILITY"), Is.EqualTo(before));
    }
}
