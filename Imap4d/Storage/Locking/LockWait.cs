using System.Diagnostics;

namespace Imap4d.Storage.Locking;

/// <summary>
/// The wait for a lock that another process holds. It polls with short, growing, jittered pauses
/// (1 ms up to 50 ms, never longer than `retry-sleep`) rather than sleeping `retry-sleep` between
/// tries: our own sessions hold a mailbox lock for milliseconds, and a whole-second sleep made
/// fifty sessions on one mbox wait seconds for each other. A foreign holder (an MDA, a mail
/// reader) is waited for `retry-count` × `retry-sleep`, as configured; a holder that is another
/// imap4d session is waited for longer (<see cref="OwnSessionFactor"/> times that, at least
/// <see cref="OwnSessionMinimum"/>), since it is known to let go soon: INUSE is for locks of
/// other programs, not for load.
/// </summary>
public sealed class LockWait
{
    /// <summary>How much longer than the configured wait another imap4d session is waited for.</summary>
    public const int OwnSessionFactor = 3;

    public static readonly TimeSpan OwnSessionMinimum = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(50);
    private static readonly Lazy<string?> OwnProgram = new(() => ProgramOf(Environment.ProcessId));

    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly TimeSpan _foreignLimit;
    private readonly TimeSpan _ownLimit;
    private readonly TimeSpan _longest;
    private TimeSpan _pause = FirstPause;

    public LockWait(LockingOptions options)
    {
        _foreignLimit = ForeignLimit(options);
        _ownLimit = OwnLimit(options);
        _longest = options.RetrySleep < LongestPause ? options.RetrySleep : LongestPause;
        if (_longest <= TimeSpan.Zero)
        {
            _longest = FirstPause;
        }
    }

    /// <summary>The configured wait: `retry-count` tries with `retry-sleep` between them.</summary>
    public static TimeSpan ForeignLimit(LockingOptions options) => options.RetrySleep * Math.Max(0, options.RetryCount - 1);

    /// <summary>The wait for a lock another session of ours holds.</summary>
    public static TimeSpan OwnLimit(LockingOptions options)
    {
        var own = ForeignLimit(options) * OwnSessionFactor;
        return own < OwnSessionMinimum ? OwnSessionMinimum : own;
    }

    /// <summary>Time waited so far.</summary>
    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>
    /// Sleeps before the next try, or returns false when the wait is over: after the configured
    /// wait for a foreign holder (or an unknown one, <paramref name="holderPid"/> ≤ 0), after the
    /// longer bound for another imap4d process.
    /// </summary>
    public bool Pause(int holderPid)
    {
        var limit = IsOwnSession(holderPid) ? _ownLimit : _foreignLimit;
        var left = limit - _watch.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        var pause = _pause * (0.5 + Random.Shared.NextDouble());
        Thread.Sleep(pause < left ? pause : left);
        _pause = _pause * 2 > _longest ? _longest : _pause * 2;
        return true;
    }

    /// <summary>True when <paramref name="pid"/> is another live process of this same program (another session).</summary>
    public static bool IsOwnSession(int pid)
    {
        if (pid <= 0 || pid == Environment.ProcessId || OwnProgram.Value is not { } own)
        {
            return false;
        }

        return ProgramOf(pid) == own;
    }

    /// <summary>The command name of a process (/proc/PID/comm, readable for any user); null when unknown.</summary>
    private static string? ProgramOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
