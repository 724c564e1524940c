using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.Locking;

/// <summary>
/// A <c>NAME.lock</c> file created with O_EXCL, as MDAs (procmail, mail.local, maidag) expect.
/// The file holds our pid. Removed on dispose (only if it is still ours); a lock file older than
/// <see cref="LockingOptions.ExpireTimeout"/> is taken to be stale and removed.
/// </summary>
public sealed class DotLock : IDisposable
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly string _lockPath;
    private readonly ulong _inode;
    private bool _released;

    private DotLock(string lockPath, ulong inode)
    {
        _lockPath = lockPath;
        _inode = inode;
    }

    public string LockPath => _lockPath;

    public static string LockPathFor(string mailboxPath) => mailboxPath + ".lock";

    /// <summary>
    /// Takes the dotlock of <paramref name="mailboxPath"/>; null when the directory does not let us
    /// create files (e.g. a sticky mail spool), in which case the caller relies on fcntl alone.
    /// Throws <see cref="StorageError.InUse"/> when another program holds it for too long.
    /// </summary>
    public static DotLock? Acquire(string mailboxPath, LockingOptions options)
    {
        string lockPath = LockPathFor(mailboxPath);
        string directory = Path.GetDirectoryName(mailboxPath) is { Length: > 0 } d ? d : ".";
        if (Syscall.access(directory, AccessModes.W_OK) != 0)
        {
            Log.Debug("directory of {0} not writable, skipping dotlock", mailboxPath);
            return null;
        }

        int attempts = Math.Max(1, options.RetryCount);
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            int fd = Syscall.open(lockPath, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL,
                FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP | FilePermissions.S_IROTH);
            if (fd >= 0)
            {
                try
                {
                    byte[] pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
                    unsafe
                    {
                        fixed (byte* p = pid)
                        {
                            Syscall.write(fd, p, (ulong)pid.Length);
                        }
                    }

                    Syscall.fstat(fd, out Stat st);
                    return new DotLock(lockPath, st.st_ino);
                }
                finally
                {
                    Syscall.close(fd);
                }
            }

            Errno errno = Stdlib.GetLastError();
            if (errno is Errno.EACCES or Errno.EPERM or Errno.EROFS)
            {
                Log.Debug("cannot create {0} ({1}), skipping dotlock", lockPath, errno);
                return null;
            }

            if (errno != Errno.EEXIST)
            {
                throw new StorageException(StorageError.Temporary, "Cannot lock mailbox", $"open {lockPath}: {errno}");
            }

            if (RemoveIfStale(lockPath, options.ExpireTimeout))
            {
                attempt--;
                continue;
            }

            if (attempt + 1 < attempts)
            {
                Thread.Sleep(options.RetrySleep);
            }
        }

        throw new StorageException(StorageError.InUse, "Mailbox is locked by another program", $"dotlock {lockPath} held");
    }

    private static bool RemoveIfStale(string lockPath, TimeSpan expire)
    {
        if (Syscall.stat(lockPath, out Stat st) != 0)
        {
            return true; // gone meanwhile: try again at once
        }

        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(st.st_mtime);
        if (age <= expire)
        {
            return false;
        }

        Log.Warn("removing stale lock {0} (age {1})", lockPath, age);
        return Syscall.unlink(lockPath) == 0 || Stdlib.GetLastError() == Errno.ENOENT;
    }

    public void Dispose()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (Syscall.stat(_lockPath, out Stat st) == 0 && st.st_ino == _inode)
        {
            Syscall.unlink(_lockPath);
        }
        else
        {
            Log.Warn("dotlock {0} was removed or replaced by someone else", _lockPath);
        }
    }
}
