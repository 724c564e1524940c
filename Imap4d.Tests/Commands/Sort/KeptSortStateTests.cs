using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>
/// The sort records and rank tables a process keeps for a mailbox on disk across selections
/// and sessions (Sort/MailboxSortState) never make a SORT or THREAD answer differ from a fresh
/// one: new mail with values the kept tables lack, expunged messages, other keys, REVERSE, and
/// a second session of the same process (which shares the kept state), EXAMINE after SELECT.
/// </summary>
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class KeptSortStateTests(string type)
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("imap4d-sortstate-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static string Message(string subject, string from) =>
        $"From: {from}\r\nSubject: {subject}\r\nDate: Mon, 2 Nov 2026 09:00:00 +0000\r\nMessage-ID: <{subject.Replace(' ', '.')}@x>\r\n\r\nbody\r\n";

    private static async Task Append(TestClient client, string subject, string from)
    {
        string text = Message(subject, from);
        var lines = await client.CommandAsync("a", $"APPEND INBOX {{{Encoding.UTF8.GetByteCount(text)}+}}\r\n{text}");
        Assert.That(lines[^1], Does.StartWith("a OK"), string.Join("\n", lines));
    }

    private static async Task<string> Sort(TestClient client, string command)
    {
        var lines = await client.CommandAsync("t", command);
        Assert.That(lines[^1], Does.StartWith("t OK"), string.Join("\n", lines));
        return lines.Single(l => l.StartsWith("* SORT", StringComparison.Ordinal) || l.StartsWith("* THREAD", StringComparison.Ordinal));
    }

    [Test]
    public async Task NewMailAndExpungesAfterAKeptSortAreOrderedRight()
    {
        await using var first = await DiskSessions.ClientAsync(type, _root);
        await Append(first, "delta", "d@example.org");
        await Append(first, "bravo", "b@example.org");
        await first.CommandAsync("s", "SELECT INBOX");
        Assert.That(await Sort(first, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 1"));

        // A second session (same process, so the same kept state) adds subjects the kept table lacks.
        await using var second = await DiskSessions.SelectedClientAsync(type, _root);
        await Append(second, "charlie", "c@example.org");
        await Append(second, "alpha", "a@example.org");
        Assert.That(await Sort(second, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 4 2 3 1"));

        await first.CommandAsync("s", "SELECT INBOX");
        Assert.That(await Sort(first, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 4 2 3 1"));
        Assert.That(await Sort(first, "UID SORT (REVERSE SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 1 3 2 4"));
        Assert.That(await Sort(first, "UID SORT (FROM) UTF-8 ALL"), Is.EqualTo("* SORT 4 2 3 1"));
        Assert.That(await Sort(first, "UID SORT (SUBJECT) UTF-8 SUBJECT a"), Is.EqualTo("* SORT 4 2 3 1"));

        await first.CommandAsync("x", "UID STORE 2 +FLAGS.SILENT (\\Deleted)");
        await first.CommandAsync("x", "EXPUNGE");
        await Append(first, "bravo again", "b@example.org");
        await second.CommandAsync("s", "SELECT INBOX");
        Assert.That(await Sort(second, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 4 5 3 1"));
    }

    [Test]
    public async Task AStateTheProcessNoLongerHoldsStillServesTheSelectionAndSortsRight()
    {
        await using var first = await DiskSessions.ClientAsync(type, _root);
        await Append(first, "delta", "d@example.org");
        await Append(first, "bravo", "b@example.org");
        await first.CommandAsync("s", "SELECT INBOX");
        Assert.That(await Sort(first, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 1"));

        // Unused for the grace: the process lets go; the selection still holds its state.
        Assert.That(Imap4d.Commands.Sort.MailboxSortState.Release(TimeSpan.Zero), Is.GreaterThan(0));
        Assert.That(Imap4d.Commands.Sort.MailboxSortState.RecentCount, Is.Zero);
        await Append(first, "alpha", "a@example.org");
        Assert.That(await Sort(first, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 3 2 1"));

        Imap4d.Commands.Sort.MailboxSortState.ForgetRecent();
        await using var second = await DiskSessions.SelectedClientAsync(type, _root);
        Assert.That(await Sort(second, "UID SORT (REVERSE SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 1 2 3"));
    }

    [Test]
    public async Task ExamineAfterSelectSortsAlike()
    {
        await using var client = await DiskSessions.ClientAsync(type, _root);
        foreach (string subject in new[] { "Re: zulu", "yankee", "Fwd: xray", "[list] whiskey" })
        {
            await Append(client, subject, "someone@example.org");
        }

        await client.CommandAsync("s", "SELECT INBOX");
        string selected = await Sort(client, "SORT (SUBJECT) UTF-8 ALL");
        await client.CommandAsync("s", "EXAMINE INBOX");
        Assert.That(await Sort(client, "SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo(selected).And.EqualTo("* SORT 4 3 2 1"));
    }

    [Test]
    public async Task RepeatedSortInOneSelectionFollowsNewMailAndExpunges()
    {
        await using var client = await DiskSessions.ClientAsync(type, _root);
        await Append(client, "mike", "m@example.org");
        await Append(client, "kilo", "k@example.org");
        await client.CommandAsync("s", "SELECT INBOX");
        Assert.That(await Sort(client, "SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 1"));
        Assert.That(await Sort(client, "SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 1"));

        await using var other = await DiskSessions.SelectedClientAsync(type, _root);
        await Append(other, "lima", "l@example.org");
        await client.CommandAsync("n", "NOOP");
        Assert.That(await Sort(client, "SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 3 1"));
        Assert.That(await Sort(client, "SORT (REVERSE SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 1 3 2"));

        // Expunging message 1 renumbers the others: the same program over the same UIDs answers new numbers.
        await client.CommandAsync("x", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await client.CommandAsync("x", "EXPUNGE");
        Assert.That(await Sort(client, "SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 1 2"));
        Assert.That(await Sort(client, "UID SORT (SUBJECT) UTF-8 ALL"), Is.EqualTo("* SORT 2 3"));
    }
}
