using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// Two sessions on one mailbox on disk (each with its own store, as two server processes have),
/// one changing the mailbox while the other has not synced yet: what the second one is told,
/// and in which order (issue 9, items 3, 4 and 6).
/// </summary>
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class ConcurrentSessionTests(string type)
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("imap4d-concurrent-").FullName;
        var store = NewStore();
        for (int i = 1; i <= 3; i++)
        {
            using var box = store.Open("INBOX", readOnly: true);
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: message {i}\r\nFrom: a@example.org\r\n\r\nbody {i}\r\n")),
                FlagSet.Empty, DateTimeOffset.UtcNow);
        }
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore() => DiskSessions.NewStore(type, _root);

    private Task<TestClient> SelectedClientAsync() => DiskSessions.SelectedClientAsync(type, _root);

    private static async Task ExpungeAsync(TestClient client, string set)
    {
        Assert.That((await client.CommandAsync("d", $"STORE {set} +FLAGS.SILENT (\\Deleted)"))[^1], Does.StartWith("d OK"));
        Assert.That((await client.CommandAsync("e", "EXPUNGE"))[^1], Does.StartWith("e OK"));
    }

    [Test]
    public async Task FetchOfAMessageExpungedMeanwhileWritesWholeLinesOnly()
    {
        await using var reader = await SelectedClientAsync();
        await using var expunger = await SelectedClientAsync();
        await ExpungeAsync(expunger, "2");

        // The reader has not synced: message 2 is still in its view, but its data is gone.
        var lines = await reader.CommandAsync("f", "FETCH 1:3 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT])");
        string all = string.Join("\n", lines);
        Assert.That(lines[^1], Does.StartWith("f OK [EXPUNGEISSUED]"), all);
        Assert.That(all, Does.Not.Contain("* 2 FETCH"), "no line for the message whose data is gone");
        Assert.That(lines.Count(l => l.StartsWith("* 1 FETCH (UID 1 RFC822.SIZE", StringComparison.Ordinal)), Is.EqualTo(1), all);
        Assert.That(lines.Count(l => l.StartsWith("* 3 FETCH (UID 3 RFC822.SIZE", StringComparison.Ordinal)), Is.EqualTo(1), all);
        Assert.That(all, Does.Contain("body 3"), "message 3 was sent whole after the skipped one");

        // What the session still knows of it is served (as Dovecot does), then the EXPUNGE follows.
        var flags = await reader.CommandAsync("g", "FETCH 2 (UID FLAGS)");
        Assert.That(flags, Has.Some.StartsWith("* 2 FETCH (UID 2 FLAGS ("), string.Join("\n", flags));
        Assert.That(flags[^1], Does.StartWith("g OK"));
        Assert.That(await reader.CommandAsync("n", "NOOP"), Has.Some.EqualTo("* 2 EXPUNGE"));
    }

    /// <summary>
    /// INTERNALDATE never changes (imaptest's stress found it did): a session that had not looked
    /// up the date of a message (maildir reads it when first asked) and finds the file gone gives
    /// the date another session saw, or leaves the message out, never the time in the file's name.
    /// </summary>
    [Test]
    public async Task TheDateOfAMessageExpungedMeanwhileIsTheOneOthersSawOrNone()
    {
        // Appended by a session without INBOX selected (as a delivery would be): no index learns the date.
        await using (var appender = await DiskSessions.ClientAsync(type, _root))
        {
            var append = await appender.CommandAsync("a", "APPEND INBOX \"05-Mar-2019 10:20:30 +0000\" {20+}\r\nSubject: old\r\n\r\nold\r\n");
            Assert.That(append[^1], Does.StartWith("a OK"), string.Join("\n", append));
        }

        await using var late = await SelectedClientAsync();
        await using var seer = await SelectedClientAsync();
        Assert.That(await seer.CommandAsync("f", "FETCH 4 (INTERNALDATE)"), Has.Some.EqualTo("* 4 FETCH (INTERNALDATE \"05-Mar-2019 10:20:30 +0000\")"));
        await ExpungeAsync(seer, "4");

        var lines = await late.CommandAsync("g", "FETCH 4 (UID INTERNALDATE RFC822.SIZE)");
        string all = string.Join("\n", lines);
        Assert.That(lines[^1], Does.StartWith("g OK"), all);
        Assert.That(lines.Where(l => l.StartsWith("* 4 FETCH", StringComparison.Ordinal)),
            Has.All.Contains("INTERNALDATE \"05-Mar-2019 10:20:30 +0000\""), all);
    }

    [Test]
    public async Task CopyOfAMessageExpungedMeanwhileSaysExpungeIssued()
    {
        await using var copier = await SelectedClientAsync();
        await using var expunger = await SelectedClientAsync();
        Assert.That((await copier.CommandAsync("c", "CREATE Other"))[^1], Does.StartWith("c OK"));
        await ExpungeAsync(expunger, "2");
        var lines = await copier.CommandAsync("k", "COPY 2 Other");
        Assert.That(lines[^1], Does.StartWith("k NO [EXPUNGEISSUED]").Or.StartWith("k OK"), string.Join("\n", lines));
    }

    [Test]
    public async Task LogoutSendsPendingUpdatesBeforeBye()
    {
        await using var leaving = await SelectedClientAsync();
        await using var other = await SelectedClientAsync();
        await ExpungeAsync(other, "1");
        Assert.That((await other.CommandAsync("a", "APPEND INBOX {21+}\r\nSubject: new\r\n\r\nnew\r\n"))[^1], Does.StartWith("a OK"));

        var lines = await leaving.CommandAsync("x", "LOGOUT");
        string all = string.Join("\n", lines);
        int bye = lines.FindIndex(l => l.StartsWith("* BYE", StringComparison.Ordinal));
        Assert.That(bye, Is.EqualTo(lines.Count - 2), "only the tagged OK follows BYE:\n" + all);
        Assert.That(lines.FindIndex(l => l == "* 1 EXPUNGE"), Is.InRange(0, bye - 1), all);
        Assert.That(lines.FindIndex(l => l == "* 3 EXISTS"), Is.InRange(0, bye - 1), all);
        Assert.That(lines[^1], Does.StartWith("x OK"));
    }

    [Test]
    public async Task KeywordSetByAnotherSessionIsAnnouncedBeforeAFetchCarriesIt()
    {
        await using var watcher = await SelectedClientAsync();
        await using var tagger = await SelectedClientAsync();
        Assert.That((await tagger.CommandAsync("t", "STORE 1 +FLAGS ($Foreign)"))[^1], Does.StartWith("t OK"));

        // The watcher's own STORE reads the message's current flags, $Foreign included.
        var lines = await watcher.CommandAsync("w", "STORE 1 +FLAGS (\\Seen)");
        string all = string.Join("\n", lines);
        int fetch = lines.FindIndex(l => l.StartsWith("* 1 FETCH", StringComparison.Ordinal) && l.Contains("$Foreign"));
        int flags = lines.FindIndex(l => l.StartsWith("* FLAGS", StringComparison.Ordinal) && l.Contains("$Foreign"));
        Assert.That(fetch, Is.GreaterThanOrEqualTo(0), all);
        Assert.That(flags, Is.InRange(0, fetch - 1), "FLAGS announces $Foreign before the FETCH that carries it:\n" + all);
        Assert.That(lines.FindIndex(l => l.StartsWith("* OK [PERMANENTFLAGS", StringComparison.Ordinal) && l.Contains("$Foreign")), Is.GreaterThan(flags), all);
    }

    [Test]
    public async Task KeywordStaysAnnouncedWhileAMessageTheClientKnowsCarriesIt()
    {
        await using var setup = await SelectedClientAsync();
        Assert.That((await setup.CommandAsync("t", "STORE 2 +FLAGS ($Kept)"))[^1], Does.StartWith("t OK"));
        await using var watcher = await SelectedClientAsync();
        Assert.That(await watcher.CommandAsync("f", "FETCH 2 (FLAGS)"), Has.Some.Contains("$Kept"));
        await ExpungeAsync(setup, "2");

        // FETCH withholds the EXPUNGE: message 2, with $Kept, is still there for the client.
        var lines = await watcher.CommandAsync("g", "FETCH 1 (FLAGS)");
        foreach (string line in lines.Where(l => l.StartsWith("* FLAGS", StringComparison.Ordinal)))
        {
            Assert.That(line, Does.Contain("$Kept"), string.Join("\n", lines));
        }
    }
}
