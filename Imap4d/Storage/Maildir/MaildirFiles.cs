using Imap4d.Native;
using System.IO.Enumeration;
using Mono.Unix.Native;

namespace Imap4d.Storage.Maildir;

/// <summary>File system helpers for the maildir driver.</summary>
internal static class MaildirFiles
{
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = true };

    private static int _tempCounter;

    /// <summary>Writes <paramref name="path"/> whole via a temporary file, fsync and rename: readers see the old or the new file.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        string temp = TempNameFor(path);
        try
        {
            // Created 0600 (control files of a mailbox another user may also write are used as they are).
            using (var stream = State.PrivateFiles.Open(temp, FileMode.CreateNew, FileAccess.Write, shared: true))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>A temporary name next to <paramref name="path"/>, unique within this machine.</summary>
    public static string TempNameFor(string path) =>
        path + ".tmp." + Environment.ProcessId + "." + Interlocked.Increment(ref _tempCounter);

    /// <summary>
    /// The names of the regular files (and anything not known to be a directory) in
    /// <paramref name="directory"/>, dot files excluded: one readdir, no stat per entry.
    /// Empty when the directory does not exist.
    /// </summary>
    public static List<string> ListFiles(string directory)
    {
        try
        {
            var names = new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => entry.FileName.ToString(), AllEntries)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && entry.FileName[0] != '.',
            };
            return [.. names];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>The names of the subdirectories of <paramref name="directory"/>.</summary>
    public static List<string> ListDirectories(string directory)
    {
        try
        {
            var names = new FileSystemEnumerable<string>(directory, (ref FileSystemEntry entry) => entry.FileName.ToString(), AllEntries)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => entry.IsDirectory,
            };
            return [.. names];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>Hard-links <paramref name="from"/> to <paramref name="to"/>; false when <paramref name="to"/> exists.</summary>
    public static bool TryLink(string from, string to)
    {
        if (NativeErrno.Retry(() => Syscall.link(from, to)) == 0)
        {
            return true;
        }

        var errno = NativeErrno.Last;
        if (errno == Errno.EEXIST)
        {
            return false;
        }

        throw IoError("link", errno);
    }

    /// <summary>Renames; false when <paramref name="from"/> is gone (another program moved or removed it).</summary>
    public static bool TryRename(string from, string to)
    {
        if (NativeErrno.Retry(() => Syscall.rename(from, to)) == 0)
        {
            return true;
        }

        var errno = NativeErrno.Last;
        if (errno == Errno.ENOENT)
        {
            return false;
        }

        throw IoError("rename", errno);
    }

    /// <summary>Unlinks; false when the file is already gone.</summary>
    public static bool TryUnlink(string path)
    {
        if (NativeErrno.Retry(() => Syscall.unlink(path)) == 0)
        {
            return true;
        }

        var errno = NativeErrno.Last;
        if (errno == Errno.ENOENT)
        {
            return false;
        }

        throw IoError("unlink", errno);
    }

    /// <summary>Size and modification time; null when the file is gone.</summary>
    public static (long Size, DateTimeOffset Mtime, DateTimeOffset Atime)? StatFile(string path)
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            return null;
        }

        return (st.st_size,
            DateTimeOffset.FromUnixTimeSeconds(st.st_mtime).AddTicks(st.st_mtime_nsec / 100),
            DateTimeOffset.FromUnixTimeSeconds(st.st_atime).AddTicks(st.st_atime_nsec / 100));
    }

    public static StorageException IoError(string operation, Errno errno) => errno switch
    {
        Errno.EACCES or Errno.EPERM or Errno.EROFS => new StorageException(StorageError.NoPermission, "Permission denied", operation + ": " + errno),
        Errno.ENOSPC or Errno.EDQUOT => new StorageException(StorageError.OverQuota, "Not enough disk space", operation + ": " + errno),
        _ => new StorageException(StorageError.Temporary, "Mailbox operation failed", operation + ": " + errno),
    };

    /// <summary>Maps a .NET I/O failure to a storage error.</summary>
    public static StorageException Wrap(Exception e, string what) => e switch
    {
        StorageException s => s,
        UnauthorizedAccessException => new StorageException(StorageError.NoPermission, "Permission denied", what, e),
        IOException io when io.HResult == 28 || io.Message.Contains("space", StringComparison.OrdinalIgnoreCase) =>
            new StorageException(StorageError.OverQuota, "Not enough disk space", what, e),
        _ => new StorageException(StorageError.Temporary, "Mailbox operation failed", what, e),
    };
}
