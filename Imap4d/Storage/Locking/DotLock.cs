using Imap4d.Native;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.Locking;

/// <summary>
/// A <c>NAME.lock</c> file created with O_EXCL, as MDAs (procmail, mail.local, maidag) expect.
/// The file holds our pid. Removed on dispose (only if it is still ours); a lock file older than
/// <see cref="LockingOptions.ExpireTimeout"/>, or naming a process that is gone, is stale and removed.
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

        // The pid goes into a private file first, which is then hard-linked to NAME.lock: the
        // lock never exists without its pid, even if we are killed half-way (liblockfile does the same).
        string temp = Path.Combine(directory, $".{Path.GetFileName(lockPath)}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (!WritePidFile(temp))
        {
            Log.Debug("cannot create {0}, skipping dotlock", temp);
            return null;
        }

        try
        {
            var wait = new LockWait(options);
            while (true)
            {
                if (Syscall.link(temp, lockPath) == 0)
                {
                    Syscall.stat(lockPath, out Stat st);
                    return new DotLock(lockPath, st.st_ino);
                }

                Errno errno = NativeErrno.Last;
                if (errno is Errno.EACCES or Errno.EPERM or Errno.EROFS)
                {
                    Log.Debug("cannot create {0} ({1}), skipping dotlock", lockPath, errno);
                    return null;
                }

                if (errno != Errno.EEXIST)
                {
                    throw new StorageException(StorageError.Temporary, "Cannot lock mailbox", $"link {lockPath}: {errno}");
                }

                if (RemoveIfStale(lockPath, options.ExpireTimeout))
                {
                    continue;
                }

                if (!wait.Pause(PidOf(lockPath)))
                {
                    break;
                }
            }
        }
        finally
        {
            Syscall.unlink(temp);
        }

        throw new StorageException(StorageError.InUse, "Mailbox is locked by another program", $"dotlock {lockPath} held");
    }

    private static bool WritePidFile(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL,
            FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP | FilePermissions.S_IROTH);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            byte[] pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
            unsafe
            {
                fixed (byte* p = pid)
                {
                    return Syscall.write(fd, p, (ulong)pid.Length) == pid.Length;
                }
            }
        }
        finally
        {
            Syscall.close(fd);
        }
    }

    private static bool RemoveIfStale(string lockPath, TimeSpan expire)
    {
        if (Syscall.stat(lockPath, out Stat st) != 0)
        {
            return true; // gone meanwhile: try again at once
        }

        var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(st.st_mtime);
        bool ownerGone = OwnerIsGone(lockPath);
        if (age <= expire && !ownerGone)
        {
            return false;
        }

        // Only the lock file we judged may go: another process may have replaced it meanwhile.
        if (Syscall.stat(lockPath, out Stat again) != 0 || again.st_ino != st.st_ino)
        {
            return true;
        }

        Log.Warn("removing stale lock {0} (age {1}{2})", lockPath, age, ownerGone ? ", its process is gone" : "");
        return Syscall.unlink(lockPath) == 0 || NativeErrno.Last == Errno.ENOENT;
    }

    /// <summary>
    /// GNU mailutils' pid-check: a lock file that names a process which no longer exists was
    /// left by a crash (a SIGKILLed writer cannot clean up) and need not wait for expiry.
    /// </summary>
    private static bool OwnerIsGone(string lockPath)
    {
        int pid = PidOf(lockPath);
        return pid > 0 && Syscall.kill(pid, 0) != 0 && NativeErrno.Last == Errno.ESRCH;
    }

    /// <summary>The pid a lock file names; 0 when it names none (empty, unreadable, not a number).</summary>
    private static int PidOf(string lockPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(lockPath).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid) && pid > 0 ? pid : 0;
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
