using Imap4d.Native;
using System.Runtime.InteropServices;
using System.Text;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

/// <summary>
/// The locks an MH folder operation holds, taken in this order and dropped in reverse:
/// <list type="number">
/// <item><c>flock</c> on <c>.imap4d/lock</c>: serialises our own sessions (flock belongs to the open file,
/// so it also works between two mailboxes of one process, unlike fcntl).</item>
/// <item><c>fcntl</c> on <c>.mh_sequences</c>: what nmh 1.7+ uses by default (<c>datalocking: fcntl</c>);
/// nmh rewrites the file in place while holding it, so we do the same (a rename would leave an nmh
/// process that waits on the old inode reading and writing a dead file).</item>
/// </list>
/// Crash safety of the in-place rewrite comes from a journal: the new text is first written whole to
/// <c>.imap4d/seq-journal</c> (temp + fsync + rename); the next writer that finds a journal whose text
/// extends what <c>.mh_sequences</c> holds (a rewrite cut short) completes it, otherwise drops it.
/// </summary>
internal sealed class MhLock : IDisposable
{
    /// <summary>Our own files live in this subdirectory: writing there leaves the folder's mtime alone.</summary>
    public const string StateDirName = ".imap4d";
    public const string LockFileName = StateDirName + "/lock";
    public const string SequencesFileName = ".mh_sequences";
    public const string JournalFileName = StateDirName + "/seq-journal";

    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int LOCK_UN = 8;

    private readonly string _folder;
    private readonly bool _write;
    private int _lockFd = -1;
    private int _seqFd = -1;

    private MhLock(string folder, bool write)
    {
        _folder = folder;
        _write = write;
    }

    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    private string SequencesPath => Path.Combine(_folder, SequencesFileName);

    private string JournalPath => Path.Combine(_folder, JournalFileName);

    /// <summary>Takes both locks. <paramref name="write"/> false: a read lock on .mh_sequences, no journal recovery.</summary>
    public static MhLock Acquire(string folder, bool write)
    {
        var mhLock = new MhLock(folder, write);
        try
        {
            mhLock.LockOwnFile();
            mhLock.LockSequences(create: false);
            if (write)
            {
                mhLock.RecoverJournal();
            }

            return mhLock;
        }
        catch
        {
            mhLock.Dispose();
            throw;
        }
    }

    /// <summary>The current text of .mh_sequences (empty when there is none), read through the locked descriptor.</summary>
    public byte[] ReadSequences()
    {
        if (_seqFd < 0)
        {
            return [];
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        long offset = 0;
        while (true)
        {
            long n = PRead(_seqFd, chunk, offset);
            if (n < 0)
            {
                throw Error("read .mh_sequences");
            }

            if (n == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, (int)n);
            offset += n;
        }
    }

    /// <summary>Replaces the text of .mh_sequences (journal first, then in place under the fcntl lock).</summary>
    public void WriteSequences(string text)
    {
        if (!_write)
        {
            throw new InvalidOperationException("read lock");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (_seqFd >= 0 && ReadSequences().AsSpan().SequenceEqual(bytes))
        {
            return;
        }

        string temp = JournalPath + ".tmp." + Environment.ProcessId;
        using (var stream = State.PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, JournalPath, overwrite: true);
        if (_seqFd < 0)
        {
            LockSequences(create: true);
        }

        WriteInPlace(bytes);
        File.Delete(JournalPath);
    }

    public void Dispose()
    {
        if (_seqFd >= 0)
        {
            Syscall.close(_seqFd);
            _seqFd = -1;
        }

        if (_lockFd >= 0)
        {
            flock(_lockFd, LOCK_UN);
            Syscall.close(_lockFd);
            _lockFd = -1;
        }
    }

    private static unsafe long PRead(int fd, byte[] buffer, long offset)
    {
        fixed (byte* p = buffer)
        {
            return Syscall.pread(fd, p, (ulong)buffer.Length, offset);
        }
    }

    private static unsafe long PWrite(int fd, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* p = data)
        {
            return Syscall.pwrite(fd, p, (ulong)data.Length, offset);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    private void LockOwnFile()
    {
        string path = Path.Combine(_folder, LockFileName);
        if (!Directory.Exists(_folder))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox", _folder);
        }

        if (Syscall.mkdir(Path.Combine(_folder, StateDirName), FilePermissions.S_IRWXU) != 0 && NativeErrno.Last != Errno.EEXIST)
        {
            return;
        }

        _lockFd = NativeErrno.Retry(() => Syscall.open(path, OpenFlags.O_RDWR | OpenFlags.O_CREAT | OpenFlags.O_CLOEXEC,
            FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
        if (_lockFd < 0)
        {
            var errno = NativeErrno.Last;
            if (errno is Errno.EACCES or Errno.EROFS or Errno.EPERM)
            {
                // A folder we may not write: readers go without our lock (nmh's fcntl lock still applies).
                _lockFd = -1;
                return;
            }

            if (errno == Errno.ENOENT)
            {
                throw new StorageException(StorageError.NotFound, "No such mailbox", path);
            }

            throw Error("open " + path, errno);
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (flock(_lockFd, LOCK_EX | LOCK_NB) != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new StorageException(StorageError.InUse, "Mailbox is locked by another session", path);
            }

            Thread.Sleep(5);
        }
    }

    private void LockSequences(bool create)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            bool write = _write;
            var flags = (write ? OpenFlags.O_RDWR : OpenFlags.O_RDONLY) | OpenFlags.O_CLOEXEC | (create ? OpenFlags.O_CREAT : 0);
            int fd = NativeErrno.Retry(() => Syscall.open(SequencesPath, flags, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR));
            if (fd < 0 && write && !create && NativeErrno.Last == Errno.EACCES)
            {
                write = false;
                fd = NativeErrno.Retry(() => Syscall.open(SequencesPath, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC));
            }

            if (fd < 0)
            {
                var errno = NativeErrno.Last;
                if (errno == Errno.ENOENT && !create)
                {
                    return;
                }

                throw Error("open .mh_sequences", errno);
            }

            while (RecordLock.Set(fd, write ? LockType.F_WRLCK : LockType.F_RDLCK) != 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    Syscall.close(fd);
                    throw new StorageException(StorageError.InUse, "Mailbox is locked by another program", SequencesPath);
                }

                Thread.Sleep(5);
            }

            // Someone may have replaced the file while we waited: lock the one that is there now.
            if (Syscall.fstat(fd, out var held) == 0 && Syscall.stat(SequencesPath, out var now) == 0 && held.st_ino == now.st_ino)
            {
                _seqFd = fd;
                return;
            }

            Syscall.close(fd);
        }
    }

    private void WriteInPlace(byte[] bytes)
    {
        if (Syscall.ftruncate(_seqFd, 0) != 0)
        {
            throw Error("truncate .mh_sequences");
        }

        long done = 0;
        while (done < bytes.Length)
        {
            long n = PWrite(_seqFd, bytes.AsSpan((int)done), done);
            if (n <= 0)
            {
                throw Error("write .mh_sequences");
            }

            done += n;
        }

        Syscall.fsync(_seqFd);
    }

    private void RecoverJournal()
    {
        byte[] journal;
        try
        {
            journal = File.ReadAllBytes(JournalPath);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        byte[] current = ReadSequences();
        if (!current.AsSpan().SequenceEqual(journal) && journal.AsSpan().StartsWith(current))
        {
            if (_seqFd < 0)
            {
                LockSequences(create: true);
            }

            WriteInPlace(journal);
        }

        File.Delete(JournalPath);
    }

    private static StorageException Error(string what, Errno? errno = null)
    {
        var code = errno ?? NativeErrno.Last;
        var kind = code switch
        {
            Errno.ENOSPC or Errno.EDQUOT => StorageError.OverQuota,
            Errno.EACCES or Errno.EPERM or Errno.EROFS => StorageError.NoPermission,
            _ => StorageError.Temporary,
        };
        return new StorageException(kind, "Cannot access mailbox", what + ": " + code);
    }
}
