using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// A message file opened relative to its open folder for a look at its identity (statx of the
/// open file, a few preads), without a FileStream: .NET's FileStream takes an flock, seeks and
/// fstats at every open, which was most of the cost of a first SELECT of a 10,000-message MH
/// folder. The file is opened without following a symbolic link, without blocking (a FIFO put
/// there), and, where the owner allows it, without updating its access time.
/// </summary>
public static unsafe partial class FileProbe
{
    private const int ORdonly = 0;
    private const int ONonblock = 0x800;
    private const int ONofollow = 0x20000;
    private const int ONoatime = 0x40000;
    private const int OCloexec = 0x80000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int Eperm = 1;
    private const int Eintr = 4;

    /// <summary>What statx says of the open file.</summary>
    public readonly record struct Status(long Inode, long Size, long MtimeNs, long CtimeNs);

    /// <summary>
    /// Opens <paramref name="name"/> in <paramref name="directory"/> for reading when it is a regular
    /// file; the descriptor (to <see cref="Close"/>), or -1 when it is gone, a link, or not a regular file.
    /// </summary>
    public static int OpenRegular(SafeFileHandle directory, string name, out Status status)
    {
        status = default;
        int fd = openat(directory, name, ORdonly | ONonblock | ONofollow | OCloexec | ONoatime);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Eperm)
        {
            fd = openat(directory, name, ORdonly | ONonblock | ONofollow | OCloexec); // O_NOATIME needs ownership
        }

        if (fd < 0)
        {
            return -1;
        }

        byte* record = stackalloc byte[StatxSize];
        if (statx(fd, string.Empty, AtEmptyPath, StatxBasicStats, record) != 0 || (*(ushort*)(record + 28) & 0xF000) != 0x8000)
        {
            close(fd);
            return -1;
        }

        status = new Status(*(long*)(record + 32), *(long*)(record + 40), TimeOf(record + 112), TimeOf(record + 96));
        return fd;
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; fewer only at the end of the file.</summary>
    public static int ReadAt(int fd, Span<byte> buffer, long offset)
    {
        int total = 0;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                nint read = pread(fd, start + total, (nuint)(buffer.Length - total), offset + total);
                if (read < 0 && Marshal.GetLastPInvokeError() == Eintr)
                {
                    continue;
                }

                if (read < 0)
                {
                    throw new IOException("pread: " + (Mono.Unix.Native.Errno)Marshal.GetLastPInvokeError());
                }

                if (read == 0)
                {
                    break;
                }

                total += (int)read;
            }
        }

        return total;
    }

    public static void Close(int fd) => close(fd);

    private static long TimeOf(byte* timestamp) => *(long*)timestamp * 1_000_000_000L + *(uint*)(timestamp + 8);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(SafeFileHandle dirfd, string path, int flags);

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(LibC.Name)]
    private static partial int close(int fd);
}
