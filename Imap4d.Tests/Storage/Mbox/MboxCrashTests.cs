using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>What a SIGKILL at a bad moment leaves behind is recovered without losing, duplicating or altering mail.</summary>
[TestFixture]
public class MboxCrashTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private (string Path, List<(uint Uid, FlagSet Flags, string Text)> Messages) NewMailbox(int count)
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        for (int i = 1; i <= count; i++)
        {
            MboxTestSupport.Append(box, "m" + i, i % 2 == 0 ? FlagSet.Of(MessageFlags.Seen) : FlagSet.Empty);
        }

        box.Sync();
        box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "Kept"));
        return (path, Snapshot(box));
    }

    private static List<(uint, FlagSet, string)> Snapshot(IMailbox box) =>
        box.Messages.Select(m => (m.Uid, m.Flags, MboxTestSupport.Read(box, m.Uid))).ToList();

    private string IndexPath(string path) => MboxTestSupport.IndexPath(_fixture, path);

    [Test]
    public void InterruptedAppendIsTruncatedAway()
    {
        var (path, before) = NewMailbox(3);
        long size = new FileInfo(path).Length;
        long inode = new Mono.Unix.UnixFileInfo(path).Inode;
        string partial = "From MAILER-DAEMON Tue Mar  5 10:20:30 2024\nSubject: half";
        File.AppendAllText(path, partial);
        File.WriteAllText(IndexPath(path) + ".append", $"{inode} {size} {size + 500}\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(Snapshot(box), Is.EqualTo(before));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(size));
        Assert.That(File.Exists(IndexPath(path) + ".append"), Is.False);
        Assert.That(MboxTestSupport.Append(box, "next"), Is.EqualTo(4u));
    }

    [Test]
    public void InterruptedAppendFollowedByAnMdaDeliveryLosesNothing()
    {
        var (path, before) = NewMailbox(2);
        long size = new FileInfo(path).Length;
        long inode = new Mono.Unix.UnixFileInfo(path).Inode;
        File.AppendAllText(path, "From MAILER-DAEMON Tue Mar  5 10:20:30 2024\nSubject: half\n");
        File.AppendAllText(path, "\nFrom mda@example.org Fri Apr  5 12:00:00 2024\nSubject: delivered\n\nx\n\n");
        File.WriteAllText(IndexPath(path) + ".append", $"{inode} {size} {size + 5000}\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(Snapshot(box).Take(2), Is.EqualTo(before));
        Assert.That(box.Messages.Select(m => MboxTestSupport.Read(box, m.Uid)).Last(), Does.Contain("Subject: delivered"));
    }

    /// <summary>A COPY's batch (one journal for many messages) killed half-way leaves none of them.</summary>
    [Test]
    public void InterruptedBatchAppendIsTruncatedAway()
    {
        var (path, before) = NewMailbox(2);
        long size = new FileInfo(path).Length;
        long inode = new Mono.Unix.UnixFileInfo(path).Inode;
        string first = "From MAILER-DAEMON Tue Mar  5 10:20:30 2024\nSubject: one\n\nbody\n\n";
        string second = "From MAILER-DAEMON Tue Mar  5 10:20:31 2024\nSubject: two\n\nbody\n\n";
        string third = "From MAILER-DAEMON Tue Mar  5 10:20:32 2024";
        File.AppendAllText(path, first + second + third[..20]); // killed inside the third From line
        File.WriteAllText(IndexPath(path) + ".append",
            $"{inode} {size} {size + 5000}\n" +
            $"{size} From MAILER-DAEMON Tue Mar  5 10:20:30 2024\n" +
            $"{size + first.Length} From MAILER-DAEMON Tue Mar  5 10:20:31 2024\n" +
            $"{size + first.Length + second.Length} {third}\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(Snapshot(box), Is.EqualTo(before));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(size));
    }

    /// <summary>Mail another program appended after the interrupted batch, at a place the batch did not plan, is kept.</summary>
    [Test]
    public void InterruptedBatchFollowedByAnMdaDeliveryLosesNothing()
    {
        var (path, before) = NewMailbox(2);
        long size = new FileInfo(path).Length;
        long inode = new Mono.Unix.UnixFileInfo(path).Inode;
        string first = "From MAILER-DAEMON Tue Mar  5 10:20:30 2024\nSubject: one\n\nbody\n\n";
        File.AppendAllText(path, first + "From MAILER-DAEMON Tue Mar  5 10:20:31 2024\nSubj");
        File.AppendAllText(path, "\n\nFrom mda@example.org Fri Apr  5 12:00:00 2024\nSubject: delivered\n\nx\n\n");
        File.WriteAllText(IndexPath(path) + ".append",
            $"{inode} {size} {size + 5000}\n" +
            $"{size} From MAILER-DAEMON Tue Mar  5 10:20:30 2024\n" +
            $"{size + first.Length} From MAILER-DAEMON Tue Mar  5 10:20:31 2024\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(Snapshot(box).Take(2), Is.EqualTo(before));
        Assert.That(box.Messages.Select(m => MboxTestSupport.Read(box, m.Uid)).Last(), Does.Contain("Subject: delivered"));
    }

    [Test]
    public void CompletedAppendWithoutIndexUpdateIsKept()
    {
        var (path, _) = NewMailbox(2);
        byte[] indexBefore = File.ReadAllBytes(IndexPath(path));
        using (var box = _fixture.Driver.Open(path, "box", readOnly: true))
        {
            MboxTestSupport.Append(box, "landed");
        }

        File.WriteAllBytes(IndexPath(path), indexBefore); // the index as it was before the append
        using var again = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(MboxTestSupport.Read(again, 3), Does.Contain("Subject: landed"));
    }

    [Test]
    public void LeftoverTemporaryFilesAreIgnoredAndRemoved()
    {
        var (path, before) = NewMailbox(3);
        string leftover = Path.Combine(_fixture.Root, ".box.imap4d-tmp.12345.deadbeef");
        File.WriteAllText(leftover, "From x Tue Mar  5 10:20:30 2024\nSubject: half a rewrite\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(Snapshot(box), Is.EqualTo(before));
        box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
        box.Checkpoint();
        Assert.That(File.Exists(leftover), Is.False);
    }

    [TestCase("delete")]
    [TestCase("corrupt")]
    [TestCase("truncate")]
    [TestCase("stale")]
    public void LostOrDamagedIndexIsRebuiltFromTheMbox(string damage)
    {
        var (path, _) = NewMailbox(4);
        byte[] staleIndex = File.ReadAllBytes(IndexPath(path));
        List<(uint, FlagSet, string)> before;
        uint validity;
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            box.Expunge();
            box.Store([4], FlagOperation.Add, FlagSet.Of(MessageFlags.Draft, "Later"));
            box.Checkpoint();
            before = Snapshot(box);
            validity = box.UidValidity;
        }

        string index = IndexPath(path);
        switch (damage)
        {
            case "delete":
                File.Delete(index);
                break;
            case "corrupt":
                var bytes = File.ReadAllBytes(index);
                new Random(1).NextBytes(bytes.AsSpan(20, Math.Min(200, bytes.Length - 20)));
                File.WriteAllBytes(index, bytes);
                break;
            case "truncate":
                File.WriteAllBytes(index, File.ReadAllBytes(index)[..40]);
                break;
            case "stale":
                File.WriteAllBytes(index, staleIndex); // from before the expunge: offsets all wrong
                break;
        }

        using var again = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        Assert.That(Snapshot(again), Is.EqualTo(before));
        Assert.That(MboxTestSupport.Append(again, "new"), Is.EqualTo(5u), "UIDs are not reused");
    }

    [Test]
    public void StoredFlagsSurviveACrashBeforeWriteBack()
    {
        var (path, _) = NewMailbox(2);
        var box = _fixture.Driver.Open(path, "box", readOnly: false);
        box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
        // No Dispose/Checkpoint: the process "dies" here. The index holds the change.
        using var again = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(again.Messages[1].Flags.Has(MessageFlags.Answered), Is.True);
        GC.KeepAlive(box);
    }

    [Test]
    public void ForeignRewriteKeepsFlagsNotYetWrittenBack()
    {
        var (path, _) = NewMailbox(2);
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Checkpoint();
        }

        var session = _fixture.Driver.Open(path, "box", readOnly: false);
        session.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
        // Another program rewrites the file in place, changing only bookkeeping (Status of message 2).
        File.WriteAllText(path, File.ReadAllText(path).Replace("X-UID: 2\n", "X-UID: 2\nStatus: RO\n").Replace("Status: RO\nStatus: RO", "Status: RO"));
        using var again = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(again.Messages[0].Flags.Has(MessageFlags.Answered), Is.True);
        Assert.That(again.Messages[1].Flags.Has(MessageFlags.Seen), Is.True);
        GC.KeepAlive(session);
    }
}
