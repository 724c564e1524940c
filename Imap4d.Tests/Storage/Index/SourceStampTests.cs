using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

public class SourceStampTests
{
    private const long Second = 1_000_000_000L;
    private static readonly long Now = 1_780_000_000L * Second + 500_000_000L;

    private static SourceStamp WithMtime(long ns) => new(10, ns, 1, ns);

    [Test]
    public void SubSecondTimestampsSettleAfterFiftyMilliseconds()
    {
        Assert.That(WithMtime(Now - 100_000_000L + 7).IsSettled(Now), Is.True);
        Assert.That(WithMtime(Now - 10_000_000L + 7).IsSettled(Now), Is.False, "within a few clock ticks");
    }

    [Test]
    public void WholeSecondTimestampsNeedTwoSeconds()
    {
        long whole = Now - (Now % Second);
        Assert.That(WithMtime(whole - Second).IsSettled(Now), Is.False, "1.5 s back, but the file system keeps whole seconds");
        Assert.That(WithMtime(whole - (3 * Second)).IsSettled(Now), Is.True);
    }
}
