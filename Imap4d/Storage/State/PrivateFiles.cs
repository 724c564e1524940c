using Imap4d.Native;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.State;

/// <summary>
/// Files and directories that hold one user's view of a mailbox (index, cache, journal, lock
/// side files): files 0600, directories 0700, whatever the umask; never through a symbolic
/// link; and never in a directory that another user owns or may write to, where that user
/// could read them, replace them or keep us from saving them.
/// </summary>
public static class PrivateFiles
{
    public const FilePermissions FileMode = FilePermissions.S_IRUSR | FilePermissions.S_IWUSR;
    public const FilePermissions DirectoryMode = FilePermissions.S_IRWXU;

    private const FilePermissions GroupOrOtherWrite = FilePermissions.S_IWGRP | FilePermissions.S_IWOTH;

    /// <summary>
    /// True when only this process's user can change what <paramref name="directory"/> holds:
    /// it is ours (root's directories count for root only) and not writable by group or others.
    /// </summary>
    public static bool IsPrivateDirectory(string directory, bool followLinks = true) =>
        (followLinks ? Syscall.stat(directory, out Stat st) : Syscall.lstat(directory, out st)) == 0
        && (st.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFDIR
        && st.st_uid == Syscall.geteuid()
        && (st.st_mode & GroupOrOtherWrite) == 0;

    /// <summary>
    /// Makes <paramref name="directory"/> (and missing parents up to an existing one) mode 0700;
    /// an existing one of ours is narrowed to 0700. False when it is not ours or is a symbolic
    /// link (an existing parent is the caller's to check).
    /// </summary>
    public static bool EnsureDirectory(string directory)
    {
        string full = Path.GetFullPath(directory).TrimEnd('/');
        if (full.Length == 0)
        {
            return false;
        }

        if (Syscall.lstat(full, out Stat st) == 0)
        {
            return OwnDirectory(full, st);
        }

        string? parent = Path.GetDirectoryName(full);
        if (parent is null || (Syscall.lstat(parent, out _) != 0 && !EnsureDirectory(parent)))
        {
            return false;
        }

        if (Syscall.mkdir(full, DirectoryMode) != 0 && NativeErrno.Last != Errno.EEXIST)
        {
            return false;
        }

        return Syscall.lstat(full, out st) == 0 && OwnDirectory(full, st);
    }

    /// <summary>A directory of ours, not a link, narrowed to 0700.</summary>
    private static bool OwnDirectory(string path, Stat st)
    {
        if ((st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR || st.st_uid != Syscall.geteuid())
        {
            return false;
        }

        return (st.st_mode & (FilePermissions)0x1ff) == DirectoryMode || Syscall.chmod(path, DirectoryMode) == 0;
    }

    /// <summary>
    /// Opens or creates a file as <see cref="FileStream"/> with mode 0600 (an existing file of ours
    /// is narrowed to 0600), refusing symbolic links. <paramref name="mode"/>: CreateNew, Create
    /// (truncates), OpenOrCreate or Append (O_APPEND). With <paramref name="shared"/>, an existing file of another
    /// user (a control file of a mailbox several users write) is used as it is.
    /// </summary>
    public static FileStream Open(string path, System.IO.FileMode mode, FileAccess access, int bufferSize = 4096, bool shared = false)
    {
        var flags = OpenFlags.O_CREAT | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC
                    | (access == FileAccess.Write ? OpenFlags.O_WRONLY : OpenFlags.O_RDWR);
        flags |= mode switch
        {
            System.IO.FileMode.CreateNew => OpenFlags.O_EXCL,
            System.IO.FileMode.Create => OpenFlags.O_TRUNC,
            System.IO.FileMode.OpenOrCreate => 0,
            System.IO.FileMode.Append => OpenFlags.O_APPEND,
            _ => throw new ArgumentException("unsupported mode " + mode, nameof(mode)),
        };
        int fd = Syscall.open(path, flags, FileMode);
        if (fd < 0)
        {
            var errno = NativeErrno.Last;
            throw errno is Errno.EACCES or Errno.EPERM
                ? new UnauthorizedAccessException($"open {path}: {errno}")
                : new IOException($"open {path}: {errno}", (int)errno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!Acceptable(fd, shared))
        {
            handle.Dispose();
            throw new UnauthorizedAccessException($"open {path}: not a private file of ours");
        }

        return new FileStream(handle, access, bufferSize);
    }

    /// <summary>A regular file; ours and narrowed to 0600 unless it is a shared control file.</summary>
    private static bool Acceptable(int fd, bool shared)
    {
        if (Syscall.fstat(fd, out Stat st) != 0 || (st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
        {
            return false;
        }

        if (shared)
        {
            return true;
        }

        return st.st_uid == Syscall.geteuid()
               && ((st.st_mode & (FilePermissions)0x1ff) == FileMode || Syscall.fchmod(fd, FileMode) == 0);
    }
}
