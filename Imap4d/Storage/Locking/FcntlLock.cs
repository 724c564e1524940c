using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Storage.Locking;

/// <summary>
/// An fcntl record lock on a whole file, taken without blocking and retried
/// (<see cref="RecordLock"/>: per open file description where the kernel allows). Where only
/// classic POSIX locks exist, closing ANY descriptor of the file drops the process's lock, so
/// the holder does all its I/O through <see cref="Fd"/> while locked (see <see cref="MailboxFileLock"/>).
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
        var type = exclusive ? LockType.F_WRLCK : LockType.F_RDLCK;
        var wait = new LockWait(options);
        while (true)
        {
            Errno errno = RecordLock.Set(fd, type);
            if (errno == 0)
            {
                return new FcntlLock(fd);
            }

            if (errno is not (Errno.EACCES or Errno.EAGAIN or Errno.EINTR))
            {
                throw new StorageException(StorageError.Temporary, "Cannot lock mailbox", $"fcntl: {errno}");
            }

            if (!wait.Pause(RecordLock.Holder(fd, type)))
            {
                break;
            }
        }

        throw new StorageException(StorageError.InUse, "Mailbox is locked by another program", "fcntl lock held");
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        RecordLock.Set(_fd, LockType.F_UNLCK);
    }
}
