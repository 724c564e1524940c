using Imap4d.Native;
using System.Collections.Concurrent;
using Mono.Unix.Native;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// The exclusive lock of one maildir's UID list and index: an in-process monitor (fcntl locks
/// belong to the process, so two sessions of one process would not exclude each other, and
/// closing any descriptor of the file would drop the lock) plus an <c>fcntl</c> write lock on
/// the <c>imap4d.lock</c> file for other processes. Waits at most <see cref="Timeout"/>.
/// Taken again by the thread that holds it, it is granted at once and changes nothing: a second
/// descriptor's lock would wait for the first (open-file-description locks conflict with each
/// other, see <see cref="RecordLock"/>) until the timeout, with every other session of the
/// mailbox waiting behind it; and with classic POSIX locks its close would drop the outer lock.
/// </summary>
internal sealed class MaildirLock : IDisposable
{
    public const string FileName = "imap4d.lock";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<string, object> Gates = new(StringComparer.Ordinal);

    private readonly object _gate;
    private int _fd = -1;

    private MaildirLock(object gate) => _gate = gate;

    public static MaildirLock Acquire(string maildir)
    {
        string path = Path.Combine(maildir, FileName);
        var gate = Gates.GetOrAdd(path, _ => new object());
        if (Monitor.IsEntered(gate))
        {
            // Held by this thread already (an outer acquire): only the monitor's count goes up.
            Monitor.Enter(gate);
            return new MaildirLock(gate);
        }

        if (!Monitor.TryEnter(gate, Timeout))
        {
            throw new StorageException(StorageError.InUse, "Mailbox is locked", "in-process lock timeout: " + path);
        }

        var result = new MaildirLock(gate);
        try
        {
            result._fd = Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
            if (result._fd < 0)
            {
                var errno = NativeErrno.Last;
                if (errno is Errno.EACCES or Errno.EROFS)
                {
                    // A mailbox we may read but not write: nobody can change it through us, so no lock is needed.
                    return result;
                }

                throw MaildirFiles.IoError("open lock", errno);
            }

            var deadline = DateTime.UtcNow + Timeout;
            while (true)
            {
                var errno = RecordLock.Set(result._fd, LockType.F_WRLCK);
                if (errno == 0)
                {
                    return result;
                }

                if (errno is not (Errno.EAGAIN or Errno.EACCES or Errno.EINTR))
                {
                    throw MaildirFiles.IoError("fcntl", errno);
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new StorageException(StorageError.InUse, "Mailbox is locked", "fcntl lock timeout: " + path);
                }

                Thread.Sleep(20);
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Syscall.close(_fd);
            _fd = -1;
        }

        if (Monitor.IsEntered(_gate))
        {
            Monitor.Exit(_gate);
        }
    }
}
