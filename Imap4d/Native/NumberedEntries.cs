using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// The entries of a directory named by a positive decimal number (MH message files), with their
/// inodes, from getdents64(2) straight into one buffer: no object or string per entry (readdir
/// through Mono.Posix made one of each for every file of a 10,000-message folder, at every rescan).
/// </summary>
public static unsafe partial class NumberedEntries
{
    private const int ORdonly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const int BufferSize = 64 * 1024;

    /// <summary>
    /// The (number, inode) pairs of <paramref name="path"/>'s entries whose names are 1-9 digits
    /// without a leading zero; null when the directory cannot be read (errno in <see cref="NativeErrno.Last"/>).
    /// </summary>
    public static List<(int Number, long Inode)>? Read(string path)
    {
        int fd = NativeErrno.Retry(() => open(path, ORdonly | ODirectory | OCloexec));
        if (fd < 0)
        {
            return null;
        }

        var result = new List<(int, long)>();
        byte* buffer = (byte*)NativeMemory.Alloc(BufferSize);
        try
        {
            while (true)
            {
                nint read = getdents64(fd, buffer, BufferSize);
                if (read < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 4)
                    {
                        continue; // EINTR
                    }

                    return null;
                }

                if (read == 0)
                {
                    return result;
                }

                // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[].
                for (nint offset = 0; offset < read;)
                {
                    byte* entry = buffer + offset;
                    ushort length = *(ushort*)(entry + 16);
                    if (NumberOf(entry + 19) is int number)
                    {
                        result.Add((number, *(long*)entry));
                    }

                    offset += length;
                }
            }
        }
        finally
        {
            NativeMemory.Free(buffer);
            close(fd);
        }
    }

    /// <summary>The number a NUL-terminated name spells (1-9 digits, no leading zero), else null.</summary>
    private static int? NumberOf(byte* name)
    {
        if (name[0] is < (byte)'1' or > (byte)'9')
        {
            return null;
        }

        int value = 0;
        for (int i = 0; i < 10; i++)
        {
            byte c = name[i];
            if (c == 0)
            {
                return value;
            }

            if (c is < (byte)'0' or > (byte)'9' || i == 9)
            {
                return null;
            }

            value = value * 10 + (c - '0');
        }

        return null;
    }

    [LibraryImport(LibC.Name, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport(LibC.Name, SetLastError = true)]
    private static partial nint getdents64(int fd, byte* buffer, nuint count);

    [LibraryImport(LibC.Name)]
    private static partial int close(int fd);
}
