using Mono.Unix.Native;

namespace Imap4d.Storage.Locking;

/// <summary>
/// An fcntl (POSIX record) lock on a whole file, taken with F_SETLK and retried. POSIX drops a
/// process's locks on a file when ANY descriptor of that file is closed, so the holder must do
/// all its I/O through <see cref="Fd"/> while locked (see <see cref="MailboxFileLock"/>).
/// </summary>
public sealed class FcntlLock : IDisposable
{
    private readonly int _fd;
    private bool _released;

    private FcntlLock(int fd)
    {
        _fd = fd;
    }

    public int Fd => _fd;

    /// <summary>Locks <paramref name="fd"/> (write lock when <paramref name="exclusive"/>).</summary>
    public static FcntlLock Acquire(int fd, bool exclusive, LockingOptions options)
    {
        var request = new Flock
        {
            l_type = exclusive ? LockType.F_WRLCK : LockType.F_RDLCK,
            l_whence = SeekFlags.SEEK_SET,
            l_start = 0,
            l_len = 0,
        };
        var wait = new LockWait(options);
        while (true)
        {
            if (Syscall.fcntl(fd, FcntlCommand.F_SETLK, ref request) == 0)
            {
                return new FcntlLock(fd);
            }

            Errno errno = Stdlib.GetLastError();
            if (errno is not (Errno.EACCES or Errno.EAGAIN or Errno.EINTR))
            {
                throw new StorageException(StorageError.Temporary, "Cannot lock mailbox", $"fcntl: {errno}");
            }

            if (!wait.Pause(HolderOf(fd, request)))
            {
                break;
            }
        }

        throw new StorageException(StorageError.InUse, "Mailbox is locked by another program", "fcntl lock held");
    }

    /// <summary>The pid of a process holding a lock that conflicts with <paramref name="wanted"/>; 0 when unknown.</summary>
    private static int HolderOf(int fd, Flock wanted)
    {
        var probe = wanted;
        return Syscall.fcntl(fd, FcntlCommand.F_GETLK, ref probe) == 0 && probe.l_type != LockType.F_UNLCK ? probe.l_pid : 0;
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        var request = new Flock { l_type = LockType.F_UNLCK, l_whence = SeekFlags.SEEK_SET };
        Syscall.fcntl(_fd, FcntlCommand.F_SETLK, ref request);
    }
}
