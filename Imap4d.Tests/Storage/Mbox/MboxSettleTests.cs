using Imap4d.Storage;
using Imap4d.Storage.Index;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// How long after a write an mbox is trusted for reads without the lock (MboxState.IsSettled):
/// a fraction of a second where the file system stamps nanoseconds, two seconds where it keeps
/// whole seconds, with the default settings (no lowered settle time here).
/// </summary>
[TestFixture]
[NonParallelizable]
public class MboxSettleTests
{
    private const long Second = 1_000_000_000L;

    [Test]
    public void FineTimestampsSettleWithinAFractionOfASecond()
    {
        long now = 1_765_000_000L * Second + 123_456_789L;
        var written = new SourceStamp(100, now - 150_000_000L, 7, now - 150_000_000L);
        Assert.That(MboxState.IsSettled(written, now), Is.True, "150 ms after a write with nanosecond timestamps");
        Assert.That(MboxState.IsSettled(written with { CtimeNs = now - 20_000_000L }, now), Is.False, "20 ms after the last change");
    }

    [Test]
    public void WholeSecondTimestampsWaitTwoSeconds()
    {
        long now = 1_765_000_000L * Second + 500_000_000L;
        var written = new SourceStamp(100, 1_764_999_999L * Second, 7, 1_764_999_999L * Second);
        Assert.That(MboxState.IsSettled(written, now), Is.False, "a write later in the same second would not show");
        Assert.That(MboxState.IsSettled(written, now + 2 * Second), Is.True);
    }

    [Test]
    public void ReadsSkipTheLockSoonAfterAnExpunge()
    {
        using var fixture = new MboxDriverFixture();
        string path = fixture.NewPath("box");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = fixture.Driver.Open(path, "box", readOnly: false);
        MboxTestSupport.Append(box, "one");
        MboxTestSupport.Append(box, "two", FlagSet.Of(MessageFlags.Deleted));
        box.Sync();
        Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 2 }));
        Thread.Sleep(300);
        var state = ((MboxMailbox)box).State;
        long before = state.UnlockedReads;
        Assert.That(MboxTestSupport.Read(box, 1), Does.Contain("Subject: one"));
        Assert.That(state.UnlockedReads, Is.EqualTo(before + 1), "read without the lock 300 ms after the rewrite");
    }
}
