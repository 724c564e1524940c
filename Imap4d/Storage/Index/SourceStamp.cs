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
    /// True when any change made after <paramref name="sinceNs"/> (wall clock, ns since the epoch)
    /// is bound to show in a later stamp: the mtime lies further back than the file system's
    /// timestamps could blur. Sub-second mtimes (ext4, xfs, btrfs, tmpfs) come from a clock
    /// coarse by a jiffy (at most 10 ms), so 50 ms is ample; whole-second ones (ext3, some
    /// network file systems) need two seconds.
    /// </summary>
    public bool IsSettled(long sinceNs) =>
        MtimeNs < sinceNs - (MtimeNs % 1_000_000_000L != 0 ? 50_000_000L : 2_000_000_000L);

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
