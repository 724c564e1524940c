using System.Runtime.InteropServices;

namespace Imap4d.Native;

/// <summary>
/// syncfs(2): one flush of a whole file system. Many files written without fsync and then made
/// durable with one call cost about a fifth of an fsync each (one journal commit instead of one
/// per file), which is what a MULTIAPPEND of many messages into a maildir needs.
/// </summary>
internal static partial class FileSystemSync
{
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>Flushes the file system holding <paramref name="directory"/>; throws <see cref="IOException"/> when it cannot.</summary>
    public static void Sync(string directory)
    {
        int fd = NativeErrno.Retry(() => open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (fd < 0)
        {
            throw new IOException("open " + directory + ": " + NativeErrno.Last);
        }

        try
        {
            if (syncfs(fd) != 0)
            {
                throw new IOException("syncfs " + directory + ": " + NativeErrno.Last);
            }
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int syncfs(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
