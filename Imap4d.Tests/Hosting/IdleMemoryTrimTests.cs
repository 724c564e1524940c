using Imap4d.Hosting;

namespace Imap4d.Tests.Hosting;

[NonParallelizable]
public class IdleMemoryTrimTests
{
    private static object? _keep;

    [Test]
    public void AQuietSpellAfterABurstOfAllocationTrimsOnce()
    {
        using var trim = IdleMemoryTrim.Start();
        int before = IdleMemoryTrim.Trims;
        for (int i = 0; i < 64; i++)
        {
            _keep = new byte[256 * 1024];
        }

        _keep = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IdleMemoryTrim.Trims == before && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.That(IdleMemoryTrim.Trims, Is.GreaterThan(before), "a trim within a few seconds of the burst");
        int after = IdleMemoryTrim.Trims;
        Thread.Sleep(IdleMemoryTrim.Period * 3);
        Assert.That(IdleMemoryTrim.Trims, Is.EqualTo(after), "no second trim without new allocation");
    }
}
