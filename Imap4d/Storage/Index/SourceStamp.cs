using Mono.Unix.Native;

namespace Imap4d.Storage.Index;

/// <summary>
/// What an index was built from: size, modification time (ns) and inode of a file or directory.
/// If these still match, the index is trusted without reading the mailbox.
/// </summary>
public readonly record struct SourceStamp(long Size, long MtimeNs, long Inode, long CtimeNs)
{
    public static SourceStamp None { get; } = default;

    /// <summary>
    /// True when no change made after the coarse clock read <paramref name="coarseNowNs"/>
    /// (<see cref="Native.CoarseClock"/>) can leave this stamp as it is: the mtime lies below that
    /// clock reading (whole-second file systems: a whole second below), so any later change gets
    /// another one.
    /// </summary>
    public bool IsSettledAt(long coarseNowNs) =>
        MtimeNs % 1_000_000_000L != 0 ? MtimeNs < coarseNowNs : MtimeNs + 1_000_000_000L <= coarseNowNs;

    /// <summary>Stats <paramref name="path"/>; <see cref="None"/> when it does not exist.</summary>
    public static SourceStamp Of(string path)
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return None;
        }

        return new SourceStamp(st.st_size, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec, (long)st.st_ino,
            st.st_ctime * 1_000_000_000L + st.st_ctime_nsec);
    }
}
