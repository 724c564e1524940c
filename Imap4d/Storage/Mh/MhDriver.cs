using Imap4d.Native;
using Imap4d.Storage.State;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

/// <summary>
/// MH folders (nmh, GNU mailutils MH): a directory of files named by positive numbers, flags in
/// <c>.mh_sequences</c> (see <see cref="MhFlagMap"/>), UIDs in our index (see <see cref="MhFolder"/>),
/// locking in <see cref="MhLock"/>, write orders in <see cref="MhMailbox"/>.
/// </summary>
public sealed class MhDriver : IMailboxDriver
{
    private readonly UserStateDirectory _userState;
    private MhFolder? _appendFolder;

    /// <param name="userState">The user's state directory (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public MhDriver(UserStateDirectory? userState = null)
    {
        _userState = userState ?? UserStateDirectory.FromEnvironment();
    }

    public string Type => "mh";

    /// <summary>GNU imap4d's rule: a directory holding a numbered file or a .mh_sequences file.</summary>
    public bool Detect(string path)
    {
        if (!Directory.Exists(path))
        {
            return false;
        }

        if (File.Exists(Path.Combine(path, MhLock.SequencesFileName)))
        {
            return true;
        }

        try
        {
            // GNU's rule (numbered files) would take a folder holding an mbox named "2026" for an MH
            // folder; an MH message never starts with a "From " line, so such files do not count.
            return Directory.EnumerateFiles(path).Any(f => MhFolder.IsMessageName(Path.GetFileName(f), out _) && !IsMbox(f));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public bool Detect(DirectoryListing directory)
    {
        if (directory.HasFile(MhLock.SequencesFileName))
        {
            return true;
        }

        try
        {
            return directory.Entries.Any(e => !e.IsDirectory && MhFolder.IsMessageName(e.Name, out _) && !IsMbox(directory.PathOf(e)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsMbox(string file)
    {
        Span<byte> start = stackalloc byte[5];
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return stream.Read(start) == 5 && start.SequenceEqual("From "u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Creates the directory (execute bits added where read bits are) with an empty .mh_sequences.</summary>
    public void Create(string path, UnixFileMode mode)
    {
        if (Directory.Exists(path) || File.Exists(path))
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        string? parent = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(parent))
        {
            Directory.CreateDirectory(parent);
        }

        var dirMode = mode | (UnixFileMode)(((int)mode & 0x124) >> 2) | UnixFileMode.UserExecute | UnixFileMode.UserWrite | UnixFileMode.UserRead;
        if (Syscall.mkdir(path, (FilePermissions)(uint)dirMode) != 0)
        {
            var errno = NativeErrno.Last;
            throw errno == Errno.EEXIST
                ? new StorageException(StorageError.AlreadyExists, "Mailbox already exists")
                : new StorageException(StorageError.NoPermission, "Cannot create mailbox", path + ": " + errno);
        }

        CreateSequencesFile(path, mode);
    }

    /// <summary>
    /// An empty directory where an MH folder was expected is one whose creation was cut short
    /// (between the mkdir and the .mh_sequences): it holds no mail, so making it an empty MH folder loses nothing.
    /// </summary>
    public bool TryFinishCreation(string path, UnixFileMode mode)
    {
        try
        {
            if (Directory.EnumerateFileSystemEntries(path).Any())
            {
                return false;
            }

            CreateSequencesFile(path, mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StorageException)
        {
            // Someone else finished it, or we may not: whatever is there now decides.
        }

        return Detect(path);
    }

    private static void CreateSequencesFile(string path, UnixFileMode mode)
    {
        var fileMode = (FilePermissions)((uint)mode & 0x1B6) | FilePermissions.S_IRUSR | FilePermissions.S_IWUSR;
        int fd = Syscall.open(Path.Combine(path, MhLock.SequencesFileName), OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL, fileMode);
        if (fd < 0)
        {
            throw new StorageException(StorageError.NoPermission, "Cannot create mailbox", path + ": " + NativeErrno.Last);
        }

        Syscall.close(fd);
    }

    /// <summary>The folder and the index in its state directory.</summary>
    public IReadOnlyList<ChangeSource> ChangeSources(string path) =>
        [new(path), ChangeSource.ForFile(Path.Combine(path, MhFolder.IndexFileName))];

    public IMailbox Open(string path, string name, bool readOnly)
    {
        if (!Directory.Exists(path))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }

        return new MhMailbox(path, name, readOnly, _userState);
    }

    /// <summary>No refresh now: the append refreshes the index under its lock.</summary>
    public IMailbox OpenForAppend(string path, string name)
    {
        if (!Directory.Exists(path))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }

        // The last append target's index stays loaded: the next APPEND (a client appending 1000
        // messages one by one) checks the index file's stamp under the lock instead of reading and
        // parsing the whole index again. Taken out while in use, so no two opens share it.
        var kept = Interlocked.Exchange(ref _appendFolder, null);
        if (kept is not null && kept.Path != path)
        {
            kept = null;
        }

        return new MhMailbox(path, name, readOnly: true, _userState, appendOnly: true, kept,
            folder => Interlocked.Exchange(ref _appendFolder, folder));
    }

    /// <summary>From the index, refreshed like a read-only open would (no \Recent is claimed).</summary>
    public MailboxStatus GetStatus(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }

        var folder = new MhFolder(path, _userState);
        bool writable = folder.CanWrite();
        using (var mhLock = MhLock.Acquire(path, writable))
        {
            folder.Refresh(mhLock, writable);
        }

        var index = folder.Index;
        uint recent = 0;
        uint unseen = 0;
        foreach (var record in index.Records)
        {
            if (record.Uid > index.RecentBoundary)
            {
                recent++;
            }

            if (!record.Flags.Has(MessageFlags.Seen))
            {
                unseen++;
            }
        }

        // RFC 7162 §3.1.10: 0 where SELECT says NOMODSEQ (a folder we cannot write, see MhMailbox.PersistentModSeq).
        return new MailboxStatus((uint)index.Records.Count, recent, index.UidNext, index.UidValidity, unseen, writable ? index.HighestModSeq : 0);
    }

    /// <summary>
    /// Removes messages (numbered and nmh's <c>,N</c> backups), .mh_sequences and our own files, then the
    /// directory if nothing else (subfolders, foreign files) is left in it.
    /// </summary>
    public void Delete(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }

        try
        {
            foreach (string file in Directory.EnumerateFiles(path).ToList())
            {
                string name = Path.GetFileName(file);
                if (MhFolder.IsMessageName(name, out _) || MhFolder.IsMessageName(name.TrimStart(','), out _)
                    || name is MhLock.SequencesFileName or MhFolder.MuPropFileName or ".mu-size")
                {
                    File.Delete(file);
                }
            }

            string state = Path.Combine(path, MhLock.StateDirName);
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }

            if (!Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageError.NoPermission, "Cannot delete mailbox", path, e);
        }
    }

    /// <summary>rename(2) of the directory: the index travels along, UIDs stay valid.</summary>
    public void Rename(string from, string to)
    {
        if (!Directory.Exists(from))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }

        if (Directory.Exists(to) || File.Exists(to))
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        string? parent = Path.GetDirectoryName(to);
        if (!string.IsNullOrEmpty(parent))
        {
            Directory.CreateDirectory(parent);
        }

        if (Syscall.rename(from, to) != 0)
        {
            throw new StorageException(StorageError.NoPermission, "Cannot rename mailbox", from + ": " + NativeErrno.Last);
        }
    }
}
