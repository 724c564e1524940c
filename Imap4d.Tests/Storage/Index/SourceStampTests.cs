using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

public class SourceStampTests
{
    private const long Second = 1_000_000_000L;
    private static readonly long Now = 1_780_000_000L * Second + 500_000_000L;

    private static SourceStamp WithMtime(long ns) => new(10, ns, 1, ns);

    [Test]
    public void AgainstTheCoarseClockASubSecondStampSettlesOnceTheClockPassedIt()
    {
        Assert.That(WithMtime(Now - 1).IsSettledAt(Now), Is.True, "a change after Now gets an mtime of at least Now");
        Assert.That(WithMtime(Now).IsSettledAt(Now), Is.False, "same tick: a later change may get the same mtime");
        Assert.That(WithMtime(Now + 5).IsSettledAt(Now), Is.False, "a fine-grained (multigrain) mtime past the coarse clock");
    }

    [Test]
    public void AgainstTheCoarseClockAWholeSecondStampNeedsTheNextSecond()
    {
        long whole = Now - (Now % Second);
        Assert.That(WithMtime(whole).IsSettledAt(Now), Is.False);
        Assert.That(WithMtime(whole - Second).IsSettledAt(Now), Is.True);
    }

    [Test]
    public void TheCoarseClockIsCloseToTheWallClock()
    {
        long wall = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        Assert.That(Math.Abs(Imap4d.Native.CoarseClock.NowNs() - wall), Is.LessThan(100_000_000L));
    }
}
