using Imap4d.Commands.Sort;
using Imap4d.Storage.Mbox;

namespace Imap4d.Hosting;

/// <summary>
/// What a process keeps across the sessions it serves — the index records of large mbox files
/// (<see cref="RecordsCache"/>, up to 24 MB) and the SORT/THREAD state of the mailboxes sorted
/// last (<see cref="MailboxSortState"/>, tens of MB for a 100k mailbox) — is for sessions that
/// follow one another closely: a client reconnecting, a second connection, a re-SELECT. Each
/// cache holds an entry for <see cref="Grace"/> after its last use and then only while a session
/// still has that mailbox open (<see cref="Tick"/>, every second from <see cref="IdleMemoryTrim"/>);
/// once the process has had no session at all for <see cref="Grace"/> it forgets everything and
/// collects, so that a user process lingering for the user's next login (`user-process-linger`)
/// is as small as a fresh one, whatever its sessions had opened. Measured at 100k messages: the
/// idle user process held about 50 MB PSS after the benchmark suite.
/// </summary>
public static class SessionCaches
{
    /// <summary>How long an unused entry is held (a reconnect within it finds everything).</summary>
    public static TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(1);

    private static readonly Lock Guard = new();
    private static int _sessions;
    private static long _generation;
    private static Timer? _timer;
    private static int _releases;
    private static long _lastEndMs;
    private static bool _endPending;

    /// <summary>Number of releases after the last session so far (tests, debug).</summary>
    public static int Releases => Volatile.Read(ref _releases);

    /// <summary>A session of this process has started.</summary>
    public static void SessionStarted()
    {
        lock (Guard)
        {
            _sessions++;
            _generation++;
        }
    }

    /// <summary>A session of this process has ended; the last one arms the release.</summary>
    public static void SessionEnded()
    {
        lock (Guard)
        {
            _sessions = Math.Max(0, _sessions - 1);
            _generation++;
            _lastEndMs = Environment.TickCount64;
            _endPending = true;
            if (_sessions == 0)
            {
                long armed = _generation;
                _timer?.Dispose();
                _timer = new Timer(_ => ReleaseIfStillIdle(armed), null, Grace, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private static void ReleaseIfStillIdle(long armed)
    {
        lock (Guard)
        {
            // A session started (and maybe ended) since: its own end arms a later release.
            if (_sessions != 0 || _generation != armed)
            {
                return;
            }
        }

        Release();
    }

    /// <summary>
    /// Forgets every cache kept for sessions and returns the memory to the system. Safe while a
    /// session runs: the caches only speed things up, and one in use keeps what it holds.
    /// </summary>
    public static void Release()
    {
        RecordsCache.Clear();
        MailboxSortState.ForgetRecent();
        IO.LargeBuffers.Release();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _releases);
    }

    /// <summary>
    /// Stops holding the entries unused for <see cref="Grace"/> (what a session still has open
    /// stays shared); true when a collection is worth it: that let go of a large entry, or a
    /// session ended at least <see cref="Grace"/> ago while large entries were left only to the
    /// sessions (the one that ended may have been the last to have the mailbox open).
    /// </summary>
    public static bool Tick()
    {
        bool worth = RecordsCache.Release(Grace) >= WorthCollectingBytes | MailboxSortState.Release(Grace) >= WorthCollectingRecords;
        bool ended;
        lock (Guard)
        {
            ended = _endPending && Environment.TickCount64 - _lastEndMs >= (long)Grace.TotalMilliseconds;
            if (ended)
            {
                _endPending = false;
            }
        }

        return worth || (ended && (RecordsCache.UnheldBytes() >= WorthCollectingBytes || MailboxSortState.UnheldRecords() >= WorthCollectingRecords));
    }

    /// <summary>Index records (80 bytes each) let go of that are worth a collection.</summary>
    private const long WorthCollectingBytes = 4 * 1024 * 1024;

    /// <summary>Sort records let go of that are worth a collection (a few hundred bytes each with their strings).</summary>
    private const int WorthCollectingRecords = 10_000;
}
