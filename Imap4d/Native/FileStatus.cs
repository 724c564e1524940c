using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// Size and times of files named relative to an open directory, with statx(2): the kernel
/// resolves one name instead of the whole path, and nothing is marshalled but the name (the
/// first open of a maildir stats every file it has not met yet). statx's record has the same
/// layout on every architecture (in native byte order), unlike struct stat.
/// </summary>
public static partial class FileStatus
{
    private const int ORdonly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int SizeOffset = 40;
    private const int AtimeOffset = 64;
    private const int CtimeOffset = 96;
    private const int MtimeOffset = 112;

    /// <summary>A directory opened for <see cref="TryStat"/>; null when it cannot be opened.</summary>
    public static SafeFileHandle? OpenDirectory(string path)
    {
        int fd = open(path, ORdonly | ODirectory | OCloexec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// The size and modification and access times (ns since the epoch) of <paramref name="name"/>
    /// in <paramref name="directory"/> (a symbolic link is followed, as stat(2) does); false when it is gone.
    /// </summary>
    public static unsafe bool TryStat(SafeFileHandle directory, string name, out long size, out long mtimeNs, out long atimeNs)
    {
        byte* record = stackalloc byte[StatxSize];
        var bytes = new ReadOnlySpan<byte>(record, StatxSize);
        if (statx(directory, name, 0, StatxBasicStats, record) != 0)
        {
            size = mtimeNs = atimeNs = 0;
            return false;
        }

        size = MemoryMarshal.Read<long>(bytes[SizeOffset..]);
        mtimeNs = TimeOf(bytes[MtimeOffset..]);
        atimeNs = TimeOf(bytes[AtimeOffset..]);
        return true;
    }

    /// <summary><see cref="TryStat"/> with the change time instead of the access time.</summary>
    public static unsafe bool TryStatChange(SafeFileHandle directory, string name, out long size, out long mtimeNs, out long ctimeNs)
    {
        byte* record = stackalloc byte[StatxSize];
        var bytes = new ReadOnlySpan<byte>(record, StatxSize);
        if (statx(directory, name, 0, StatxBasicStats, record) != 0)
        {
            size = mtimeNs = ctimeNs = 0;
            return false;
        }

        size = MemoryMarshal.Read<long>(bytes[SizeOffset..]);
        mtimeNs = TimeOf(bytes[MtimeOffset..]);
        ctimeNs = TimeOf(bytes[CtimeOffset..]);
        return true;
    }

    /// <summary>A statx_timestamp: tv_sec (s64) then tv_nsec (u32).</summary>
    private static long TimeOf(ReadOnlySpan<byte> timestamp) =>
        MemoryMarshal.Read<long>(timestamp) * 1_000_000_000L + MemoryMarshal.Read<uint>(timestamp[8..]);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(SafeFileHandle dirfd, string path, int flags, uint mask, byte* buffer);
}
