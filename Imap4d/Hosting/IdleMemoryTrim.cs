namespace Imap4d.Hosting;

/// <summary>
/// Gives memory back once a burst of work is over. The .NET GC keeps the regions a busy spell
/// grew committed for reuse: measured, the daemon, the login process and a user process that
/// had served 1,400 logins held 13–16 MB more each than when they started, and a user process
/// that had opened a 100k mailbox kept the heap of that first parse while it sat idle. Every
/// second this looks at how much the process allocated: when something was allocated since the
/// last trim and the process then went quiet, one aggressive, compacting collection returns the
/// free regions to the system. A process that allocates nothing costs one cheap check per period.
/// </summary>
public sealed class IdleMemoryTrim : IDisposable
{
    /// <summary>
    /// How long allocation must have been (nearly) still before trimming: a second, so that a
    /// process that just served its last command is small again by the time anyone looks.
    /// </summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Allocation within one period below which the process counts as quiet (timers, polls).</summary>
    private const long QuietBytes = 256 * 1024;

    /// <summary>Allocation since the last trim below which a trim is not worth its pause.</summary>
    private const long WorthTrimmingBytes = 4 * 1024 * 1024;

    private readonly Timer _timer;
    private long _lastSeen;
    private long _lastTrim;
    private bool _released;

    private IdleMemoryTrim()
    {
        _lastSeen = _lastTrim = GC.GetTotalAllocatedBytes();
        _timer = new Timer(_ => Tick(), null, Period, Period);
    }

    /// <summary>Starts watching this process; dispose to stop.</summary>
    public static IdleMemoryTrim Start() => new();

    /// <summary>Number of trims so far (for tests and the debug log).</summary>
    public static int Trims => _trims;

    private static int _trims;

    private void Tick()
    {
        // What the caches shared by sessions stopped holding is worth a trim too.
        _released |= SessionCaches.Tick();
        long now = GC.GetTotalAllocatedBytes();
        bool quiet = now - _lastSeen < QuietBytes;
        _lastSeen = now;
        if (quiet && (_released || now - _lastTrim >= WorthTrimmingBytes))
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            Interlocked.Increment(ref _trims);
            _released = false;
            _lastSeen = _lastTrim = GC.GetTotalAllocatedBytes();
        }
    }

    public void Dispose() => _timer.Dispose();
}
