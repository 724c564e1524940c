using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// CLOCK_REALTIME_COARSE: the clock the kernel stamps file times from (a jiffy coarse; with
/// multigrain timestamps a change may get a finer time, never an earlier one). A change made
/// after this clock read T gets an mtime of at least T, so a directory whose mtime lies below T
/// cannot change again without its mtime changing.
/// </summary>
public static partial class CoarseClock
{
    private const int ClockRealtimeCoarse = 5;

    /// <summary>Nanoseconds since the epoch; the fine wall clock when the coarse one cannot be read.</summary>
    public static long NowNs()
    {
        if (clock_gettime(ClockRealtimeCoarse, out var time) == 0)
        {
            return (time.Seconds * 1_000_000_000L) + time.Nanoseconds;
        }

        return (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(LibC.Name)]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
