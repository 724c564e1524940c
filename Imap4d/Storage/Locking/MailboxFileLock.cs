using Imap4d.Native;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.Locking;

/// <summary>
/// Everything that guards one mailbox file while it is read or written: the in-process lock,
/// the dotlock (when the directory allows one), and an fcntl lock on a descriptor that the holder
/// must use for all its reads and writes (<see cref="Handle"/>), so that no close of another
/// descriptor drops the fcntl lock. Taken per operation, never while a mailbox is merely open.
/// </summary>
public sealed class MailboxFileLock : IDisposable
{
    private readonly ProcessLock _process;
    private readonly DotLock? _dot;
    private readonly FcntlLock? _fcntl;
    private readonly int _fd;
    private bool _released;

    private MailboxFileLock(ProcessLock process, DotLock? dot, FcntlLock? fcntl, int fd, bool writable)
    {
        _process = process;
        _dot = dot;
        _fcntl = fcntl;
        _fd = fd;
        Writable = writable;
        Handle = new SafeFileHandle(fd, ownsHandle: false);
    }

    /// <summary>The locked file, open for reading and (when <see cref="Writable"/>) writing.</summary>
    public SafeFileHandle Handle { get; }

    public int Fd => _fd;

    public bool Writable { get; }

    public bool HasDotLock => _dot is not null;

    public static MailboxFileLock Acquire(string path, LockingOptions options)
    {
        var process = ProcessLock.Acquire(path, options);
        DotLock? dot = null;
        int fd = -1;
        try
        {
            if (options.UseDotLock)
            {
                dot = DotLock.Acquire(path, options);
            }

            bool writable = true;
            fd = NativeErrno.Retry(() => Syscall.open(path, OpenFlags.O_RDWR));
            if (fd < 0 && NativeErrno.Last is Errno.EACCES or Errno.EROFS or Errno.EPERM)
            {
                writable = false;
                fd = NativeErrno.Retry(() => Syscall.open(path, OpenFlags.O_RDONLY));
            }

            if (fd < 0)
            {
                Errno errno = NativeErrno.Last;
                throw errno == Errno.ENOENT
                    ? new StorageException(StorageError.NotFound, "No such mailbox")
                    : new StorageException(StorageError.NoPermission, "Cannot open mailbox", $"open {path}: {errno}");
            }

            var fcntl = options.UseFcntl ? FcntlLock.Acquire(fd, writable, options) : null;
            return new MailboxFileLock(process, dot, fcntl, fd, writable);
        }
        catch
        {
            if (fd >= 0)
            {
                Syscall.close(fd);
            }

            dot?.Dispose();
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        try
        {
            _fcntl?.Dispose();
            Handle.Dispose();
            Syscall.close(_fd);
        }
        finally
        {
            try
            {
                _dot?.Dispose();
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
