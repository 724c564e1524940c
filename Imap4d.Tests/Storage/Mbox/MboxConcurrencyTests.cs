using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Other writers (an MDA, another imap4d session, a mail reader rewriting the file).</summary>
[TestFixture]
public class MboxConcurrencyTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string NewMailbox(int messages)
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        for (int i = 1; i <= messages; i++)
        {
            MboxTestSupport.Append(box, "m" + i);
        }

        return path;
    }

    private static MboxState StateOf(IMailbox box) => ((MboxMailbox)box).State;

    /// <summary>What procmail or maidag does: take NAME.lock, append at the end, remove the lock.</summary>
    private static void MdaDeliver(string path, string subject)
    {
        using (File.Open(path + ".lock", FileMode.CreateNew))
        {
        }

        try
        {
            File.AppendAllText(path, $"From mda@example.org Fri Apr  5 12:00:00 2024\nSubject: {subject}\n\nDelivered.\n\n");
        }
        finally
        {
            File.Delete(path + ".lock");
        }
    }

    [Test]
    public void MdaAppendIsSeenBySyncWithoutFullParse()
    {
        string path = NewMailbox(2);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Sync().IsEmpty, Is.True);
        MdaDeliver(path, "from the MDA");
        var changes = box.Sync();
        Assert.That(StateOf(box).LastRefresh, Is.EqualTo("tail"));
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 3 }));
        Assert.That(box.RecentUids, Does.Contain(3u));
        Assert.That(MboxTestSupport.Read(box, 3), Is.EqualTo("Subject: from the MDA\r\n\r\nDelivered.\r\n"));
        Assert.That(MboxTestSupport.Append(box, "after"), Is.EqualTo(4u));
        box.Checkpoint();
        Assert.That(File.ReadAllText(path), Does.Contain("Subject: from the MDA\nStatus: O\nX-UID: 3\n"));
    }

    [Test]
    public void FlagChangesReachOtherSessionsThroughTheIndexWithoutRewritingTheMbox()
    {
        string path = NewMailbox(2);
        using var a = _fixture.Driver.Open(path, "box", readOnly: false);
        using var b = _fixture.Driver.Open(path, "box", readOnly: false);
        a.Checkpoint();
        var before = File.GetLastWriteTimeUtc(path);
        long inode = new Mono.Unix.UnixFileInfo(path).Inode;
        a.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "Work"));
        var changes = b.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(b.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Flagged, "Work")));
        Assert.That(new Mono.Unix.UnixFileInfo(path).Inode, Is.EqualTo(inode), "the mbox was not rewritten");
        Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(before));
        b.Store([2], FlagOperation.Remove, FlagSet.Of(MessageFlags.Flagged));
        Assert.That(a.Sync().FlagsChanged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(a.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.None, "Work")));
        a.Checkpoint();
        Assert.That(File.ReadAllText(path), Does.Contain("X-Keywords: Work\nX-UID: 2\n"));
        Assert.That(b.Sync().IsEmpty, Is.True, "a checkpoint changes nothing a client sees");
    }

    [Test]
    public void MessagesRemovedByAnotherProgramAreReportedExpunged()
    {
        string path = NewMailbox(3);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        box.Checkpoint();
        string text = File.ReadAllText(path);
        int second = text.IndexOf("From a@example.org ", 10, StringComparison.Ordinal);
        int third = text.IndexOf("From a@example.org ", second + 10, StringComparison.Ordinal);
        File.WriteAllText(path, text[..second] + text[third..]); // what mutt does when deleting message 2
        var changes = box.Sync();
        Assert.That(changes.Expunged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(changes.Added, Is.Empty);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
    }

    [Test]
    public void RewrittenFileWithLostUidsGetsNewUidsNeverOldOnes()
    {
        string path = NewMailbox(3);
        uint validity;
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            validity = box.UidValidity;
            box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            box.Expunge();
        }

        // Another program drops every X-UID and X-IMAPbase and reorders the messages.
        string text = File.ReadAllText(path);
        string[] parts = text.Split("\nFrom ", StringSplitOptions.None);
        var cleaned = string.Join("\n", parts.Select((p, i) => (i == 0 ? p : "From " + p)).Reverse()
            .Select(p => string.Join("\n", p.Split('\n').Where(l => !l.StartsWith("X-UID") && !l.StartsWith("X-IMAPbase")))));
        File.WriteAllText(path, cleaned.TrimEnd('\n') + "\n\n");
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(validity), "the index still knows this mailbox");
            Assert.That(box.Messages, Has.Count.EqualTo(2));
            Assert.That(box.Messages.Select(m => m.Uid), Is.All.GreaterThanOrEqualTo(4u), "UIDs 1-3 named other data");
        }

        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        File.WriteAllText(path, File.ReadAllText(path).Replace("X-UID: 4", "X-UID: 9"));
        using var again = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(again.Messages, Has.Count.EqualTo(2));
    }

    [Test]
    public void InconsistentXUidsWithoutIndexGiveANewUidValidity()
    {
        string text = "From a@b Tue Mar  5 09:20:30 2024\nSubject: a\nX-IMAPbase: 1000 10\nX-UID: 5\n\na\n\n"
                      + "From a@b Tue Mar  5 09:20:30 2024\nSubject: b\nX-UID: 3\n\nb\n\n";
        string path = MboxTestSupport.Write(_fixture, "inconsistent", text);
        using var box = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(box.UidValidity, Is.Not.EqualTo(1000u));
        Assert.That(box.Messages.Select(m => m.Uid), Is.Ordered.Ascending);
    }

    [Test]
    public void CopyBetweenTwoMailboxesAndMdaInterleaved()
    {
        string a = NewMailbox(2);
        string bPath = _fixture.NewPath("other");
        _fixture.Driver.Create(bPath, (UnixFileMode)0x180);
        using var from = _fixture.Driver.Open(a, "box", readOnly: false);
        using var to = _fixture.Driver.Open(bPath, "other", readOnly: false);
        from.CopyTo([1], to);
        MdaDeliver(bPath, "mda in between");
        from.CopyTo([2], to);
        var changes = to.Sync();
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(MboxTestSupport.Read(to, 2), Does.Contain("mda in between"));
        Assert.That(Encoding.ASCII.GetString(MboxTestSupport.ReadBytes(to, 3)), Does.Contain("Subject: m2"));
    }

    [Test]
    public void SessionsOnParallelThreadsNeverShareAUid()
    {
        string path = NewMailbox(0);
        var uids = new System.Collections.Concurrent.ConcurrentBag<uint>();
        var tasks = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            using var box = _fixture.Driver.Open(path, "box", readOnly: false);
            for (int i = 0; i < 25; i++)
            {
                uids.Add(box.Append(new MemoryStream(MboxTestSupport.Message($"t{t} m{i}")), FlagSet.Empty, DateTimeOffset.UnixEpoch));
                if (i % 5 == 0)
                {
                    box.Sync();
                    box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
                }
            }
        })).ToArray();
        Task.WaitAll(tasks);
        Assert.That(uids.Order(), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (uint)i)));
        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        using var check = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(check.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, 100).Select(i => (uint)i)));
        Assert.That(check.Messages.Select(m => MboxTestSupport.Read(check, m.Uid)).Distinct().Count(), Is.EqualTo(100));
    }
}
