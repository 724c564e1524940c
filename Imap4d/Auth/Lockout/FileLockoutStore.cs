using Imap4d.Native;
using System.Security.Cryptography;
using System.Text;
using Imap4d.Config;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Auth.Lockout;

/// <summary>
/// Failed-login records in files, so that every imap4d process (inetd children, the daemon's
/// per-connection children) shares them. One small file (0600) per key, named by a hash of the key,
/// in a directory that must belong to this process's user and be writable by nobody else
/// (created 0700 when missing). Each access takes an fcntl lock on the file; in-process callers
/// (all instances) are serialized too, since fcntl locks do not exclude threads of one process. The directory
/// holds at most <see cref="MaxEntries"/> files: stale ones are pruned, and when it is still
/// full new keys are not counted. Every failure to keep the counters is logged and ignored
/// (fail open): the lockout never stops a login because of its own trouble, nor crashes.
/// </summary>
public sealed class FileLockoutStore : ILockoutStore
{
    public const int MaxEntries = 10_000;

    private const string FilePrefix = "k-";
    private const int LockAttempts = 50;
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(20);
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly LockoutSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Action<string> _warn;
    // One gate for every instance in the process (the daemon's sessions each have one): fcntl
    // locks do not exclude one process from itself, and closing any descriptor of a file drops
    // all of the process's locks on it.
    private static readonly object Gate = new();
    private bool _directoryChecked;
    private bool _disabled;
    private int _warnedFull;

    public FileLockoutStore(LockoutSettings settings, TimeProvider? clock = null, Action<string>? warn = null)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _warn = warn ?? (message => Log.Warn(message));
    }

    public string Directory => _settings.Directory;

    public LockoutRecord? Read(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (Gate)
        {
            if (!Usable(create: false))
            {
                return null;
            }

            int fd = Open(key, create: false);
            if (fd < 0)
            {
                return null;
            }

            try
            {
                return Lock(fd, LockType.F_RDLCK) ? Read(fd) : null;
            }
            finally
            {
                Syscall.close(fd);
            }
        }
    }

    public T Update<T>(string key, Func<LockoutRecord, T> change)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(change);
        lock (Gate)
        {
            if (!Usable(create: true))
            {
                return change(new LockoutRecord()); // fail open: decided, not kept
            }

            int fd = Open(key, create: false);
            if (fd < 0 && NativeErrno.Last == Errno.ENOENT && HasRoomForOneMore())
            {
                fd = Open(key, create: true);
            }

            if (fd < 0)
            {
                return change(new LockoutRecord());
            }

            try
            {
                if (!Lock(fd, LockType.F_WRLCK))
                {
                    return change(new LockoutRecord());
                }

                var record = Read(fd);
                T result = change(record);
                Write(fd, record);
                return result;
            }
            finally
            {
                Syscall.close(fd);
            }
        }
    }

    public void Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (Gate)
        {
            if (Usable(create: false) && Syscall.unlink(PathOf(key)) != 0 && NativeErrno.Last != Errno.ENOENT)
            {
                _warn($"lockout: cannot remove the record of {key}: {NativeErrno.Last}");
            }
        }
    }

    /// <summary>The file name of a key: a hash, so that names from the network never reach the file system.</summary>
    public static string FileNameOf(string key) =>
        FilePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));

    private string PathOf(string key) => Path.Combine(_settings.Directory, FileNameOf(key));

    /// <summary>
    /// Checks the directory once (creating it when asked and missing); a directory that is not
    /// ours or is writable by others disables the store for this process, with one warning.
    /// </summary>
    private bool Usable(bool create)
    {
        if (_disabled)
        {
            return false;
        }

        if (_directoryChecked)
        {
            return true;
        }

        string directory = _settings.Directory;
        if (Syscall.lstat(directory, out Stat status) != 0)
        {
            if (NativeErrno.Last != Errno.ENOENT)
            {
                return Disable($"cannot examine {directory}: {NativeErrno.Last}");
            }

            if (!create)
            {
                return false; // Nothing was ever counted.
            }

            if (!CreateDirectory(directory) || Syscall.lstat(directory, out status) != 0)
            {
                return Disable($"cannot create {directory}: {NativeErrno.Last}");
            }
        }

        if ((status.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR)
        {
            return Disable($"{directory} is not a directory");
        }

        if (status.st_uid != Syscall.geteuid())
        {
            return Disable($"{directory} belongs to uid {status.st_uid}, not to this process (uid {Syscall.geteuid()})");
        }

        if ((status.st_mode & (FilePermissions.S_IWGRP | FilePermissions.S_IWOTH)) != 0)
        {
            return Disable($"{directory} is writable by group or others");
        }

        _directoryChecked = true;
        return true;
    }

    private bool Disable(string reason)
    {
        _disabled = true;
        _warn($"lockout: {reason}; failed logins are not counted");
        return false;
    }

    /// <summary>mkdir -p: missing parents 0755, the directory itself 0700 (explicit chmod, whatever the umask).</summary>
    private static bool CreateDirectory(string directory)
    {
        string? parent = Path.GetDirectoryName(directory);
        if (parent is not null && parent != directory && Syscall.lstat(parent, out _) != 0)
        {
            if (!CreateDirectory(parent) || Syscall.chmod(parent, (FilePermissions)0x1ed) != 0) // 0755
            {
                return false;
            }
        }

        if (Syscall.mkdir(directory, FilePermissions.S_IRWXU) != 0 && NativeErrno.Last != Errno.EEXIST)
        {
            return false;
        }

        return Syscall.chmod(directory, FilePermissions.S_IRWXU) == 0;
    }

    private int Open(string key, bool create)
    {
        var flags = OpenFlags.O_RDWR | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK;
        if (create)
        {
            flags |= OpenFlags.O_CREAT;
        }

        int fd = Syscall.open(PathOf(key), flags, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
        if (fd < 0 && NativeErrno.Last != Errno.ENOENT)
        {
            _warn($"lockout: cannot open the counter of {key}: {NativeErrno.Last}");
        }

        return fd;
    }

    private bool Lock(int fd, LockType type)
    {
        for (int attempt = 0; attempt < LockAttempts; attempt++)
        {
            var errno = RecordLock.Set(fd, type);
            if (errno == 0)
            {
                return true;
            }

            if (errno is not (Errno.EACCES or Errno.EAGAIN or Errno.EINTR))
            {
                break;
            }

            Thread.Sleep(LockRetry);
        }

        _warn("lockout: cannot lock a counter file; attempt not counted");
        return false;
    }

    private static unsafe LockoutRecord Read(int fd)
    {
        byte[] buffer = new byte[LockoutRecord.MaxBytes + 1];
        long length;
        fixed (byte* p = buffer)
        {
            length = Syscall.pread(fd, p, (ulong)buffer.Length, 0);
        }

        return length <= 0 || length > LockoutRecord.MaxBytes ? new LockoutRecord() : LockoutRecord.Parse(buffer.AsSpan(0, (int)length));
    }

    private unsafe void Write(int fd, LockoutRecord record)
    {
        byte[] data = record.Serialize();
        long written;
        fixed (byte* p = data)
        {
            written = Syscall.ftruncate(fd, 0) == 0 ? Syscall.pwrite(fd, p, (ulong)data.Length, 0) : -1;
        }

        if (written != data.Length)
        {
            _warn($"lockout: cannot write a counter file: {NativeErrno.Last}");
        }
    }

    /// <summary>
    /// Whether one more key may get a file: below the limit, or below it after removing files
    /// untouched for longer than the window and the lock time together.
    /// </summary>
    private bool HasRoomForOneMore()
    {
        try
        {
            if (CountEntries() < MaxEntries)
            {
                return true;
            }

            Prune();
            if (CountEntries() < MaxEntries)
            {
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"lockout: cannot list {_settings.Directory}: {e.Message}");
            return false;
        }

        if (Interlocked.Exchange(ref _warnedFull, 1) == 0)
        {
            _warn($"lockout: {_settings.Directory} holds {MaxEntries} counters; new client addresses and user names are not counted");
        }

        return false;
    }

    private int CountEntries() =>
        System.IO.Directory.EnumerateFiles(_settings.Directory, FilePrefix + "*").Take(MaxEntries).Count();

    private void Prune()
    {
        var staleBefore = _clock.GetUtcNow() - _settings.Window - _settings.LockTime - _settings.MaxDelay;
        foreach (string file in System.IO.Directory.EnumerateFiles(_settings.Directory, FilePrefix + "*"))
        {
            if (Syscall.lstat(file, out Stat status) == 0
                && DateTimeOffset.FromUnixTimeSeconds(status.st_mtime) < staleBefore)
            {
                Syscall.unlink(file);
            }
        }
    }
}
