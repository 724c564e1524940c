using Imap4d.Native;
using Imap4d.Storage.State;
using Mono.Unix.Native;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// Maildir mailboxes (cr.yp.to/proto/maildir.html): a directory with cur/, new/ and tmp/, one
/// file per message. Handles one maildir; <see cref="MaildirLayout"/> maps folder names to paths.
/// </summary>
public sealed class MaildirDriver : IMailboxDriver
{
    private static readonly string[] SubDirectories = ["tmp", "new", "cur"];

    /// <summary>Files this driver, Dovecot and mailutils keep next to cur/new/tmp (removed by <see cref="Delete"/>).</summary>
    private static readonly string[] StateFilePatterns =
    [
        MaildirMailbox.IndexFileName + "*", MaildirMailbox.CacheFileName + "*", MaildirUidList.FileName + "*", MaildirLock.FileName, MaildirKeywords.FileName + "*",
        MaildirForeignUids.DovecotFileName + "*", MaildirForeignUids.MailutilsFileName, "dovecot.index*", "dovecot-uidvalidity*",
        "dovecot.list.index*", "maildirfolder", "courierimapuiddb", "courierimapkeywords",
    ];

    private readonly UserStateDirectory _userState;

    /// <param name="userState">The user's state directory (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public MaildirDriver(UserStateDirectory? userState = null)
    {
        _userState = userState ?? UserStateDirectory.FromEnvironment();
    }

    public string Type => "maildir";

    public bool Detect(string path) =>
        SubDirectories.All(d => Directory.Exists(Path.Combine(path, d)));

    public bool Detect(DirectoryListing directory) => SubDirectories.All(directory.HasDirectory);

    public void Create(string path, UnixFileMode mode)
    {
        if (File.Exists(path) || Detect(path))
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        var directoryMode = DirectoryMode(mode);
        try
        {
            if (!Directory.Exists(path))
            {
                MakeDirectory(path, directoryMode);
            }

            foreach (string sub in SubDirectories)
            {
                string dir = Path.Combine(path, sub);
                if (!Directory.Exists(dir))
                {
                    MakeDirectory(dir, directoryMode);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "create " + path);
        }
    }

    /// <summary>A directory holding nothing but some of cur/, new/ and tmp/ is a maildir whose creation was cut short.</summary>
    public bool TryFinishCreation(string path, UnixFileMode mode)
    {
        try
        {
            var entries = new DirectoryInfo(path).GetFileSystemInfos();
            if (entries.Any(e => e is not DirectoryInfo || !SubDirectories.Contains(e.Name, StringComparer.Ordinal)))
            {
                return false;
            }

            Create(path, mode);
            return Detect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StorageException)
        {
            return Detect(path);
        }
    }

    /// <summary>The mode for directories: <paramref name="mode"/> plus search (x) wherever read (r) is allowed.</summary>
    public static UnixFileMode DirectoryMode(UnixFileMode mode)
    {
        var result = mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if ((mode & UnixFileMode.GroupRead) != 0)
        {
            result |= UnixFileMode.GroupExecute;
        }

        if ((mode & UnixFileMode.OtherRead) != 0)
        {
            result |= UnixFileMode.OtherExecute;
        }

        return result;
    }

    /// <summary>new/ and cur/: every change of a message is a file created, renamed or removed there.</summary>
    public IReadOnlyList<ChangeSource> ChangeSources(string path) => [new(Path.Combine(path, "new")), new(Path.Combine(path, "cur"))];

    public IMailbox Open(string path, string name, bool readOnly)
    {
        RequireMaildir(path);
        try
        {
            return new MaildirMailbox(path, name, readOnly, _userState);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "open " + path);
        }
    }

    /// <summary>No scan: APPEND needs the UID list and the lock, not the message list.</summary>
    public IMailbox OpenForAppend(string path, string name)
    {
        RequireMaildir(path);
        try
        {
            return new MaildirMailbox(path, name, readOnly: true, appendOnly: true, _userState);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "open " + path);
        }
    }

    public MailboxStatus GetStatus(string path)
    {
        RequireMaildir(path);
        using var box = (MaildirMailbox)Open(path, string.Empty, readOnly: true);
        var messages = box.Messages;
        return new MailboxStatus(
            (uint)messages.Count,
            (uint)box.UnclaimedRecentCount,
            box.UidNext,
            box.UidValidity,
            (uint)messages.Count(m => !m.Flags.Has(MessageFlags.Seen)),
            box.PersistentModSeq ? box.HighestModSeq : 0); // RFC 7162 §3.1.10: 0 where SELECT says NOMODSEQ
    }

    public void Delete(string path)
    {
        RequireMaildir(path);
        DeleteUserState(path);
        try
        {
            foreach (string sub in SubDirectories)
            {
                string dir = Path.Combine(path, sub);
                foreach (string file in Directory.EnumerateFiles(dir))
                {
                    File.Delete(file);
                }

                Directory.Delete(dir);
            }

            foreach (string pattern in StateFilePatterns)
            {
                foreach (string file in Directory.EnumerateFiles(path, pattern))
                {
                    File.Delete(file);
                }
            }

            if (!Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "delete " + path);
        }
    }

    public void Rename(string from, string to)
    {
        RequireMaildir(from);
        if (Directory.Exists(to) || File.Exists(to))
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        string? oldIndex = _userState.Root is null ? null : _userState.FileFor(from, ".index");
        try
        {
            // Names in the index are relative to the maildir, so UIDs and the index stay valid.
            Directory.Move(from, to);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "rename " + from);
        }

        MoveUserState(oldIndex, to);
    }

    /// <summary>Removes the index and cache a maildir may have in the user's state directory.</summary>
    private void DeleteUserState(string path)
    {
        if (_userState.Root is not null && _userState.FileFor(path, ".index") is { } index)
        {
            foreach (string file in StateFilesOf(index))
            {
                TryDelete(file);
            }
        }
    }

    /// <summary>The index and cache in the state directory follow the maildir to its new name (or are dropped).</summary>
    private void MoveUserState(string? oldIndex, string to)
    {
        if (oldIndex is null)
        {
            return;
        }

        string? newIndex = _userState.FileFor(to, ".index");
        var newFiles = newIndex is null ? null : StateFilesOf(newIndex);
        foreach (var (oldFile, newFile) in StateFilesOf(oldIndex).Select((file, i) => (file, newFiles?[i])))
        {
            try
            {
                if (newFile is not null)
                {
                    TryDelete(newFile);
                }

                if (File.Exists(oldFile) && newFile is not null)
                {
                    File.Move(oldFile, newFile);
                }
                else
                {
                    TryDelete(oldFile);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(oldFile); // a cache: the new name rebuilds it
            }
        }
    }

    /// <summary>
    /// The files kept in the state directory for a maildir whose index is <paramref name="index"/>:
    /// the index, the FETCH cache, and the MODSEQ counter and expunge record beside it (CONDSTORE).
    /// </summary>
    private static string[] StateFilesOf(string index) =>
        [index, MaildirMailbox.CachePathFor(index)!, index + ".modseq", index + ".vanished"];

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover index is recognized by its stamps, a cache entry by its fingerprint.
        }
    }

    private static void MakeDirectory(string path, UnixFileMode mode)
    {
        if (NativeErrno.Retry(() => Syscall.mkdir(path, (FilePermissions)(uint)mode)) != 0)
        {
            var errno = NativeErrno.Last;
            throw errno == Errno.EEXIST
                ? new StorageException(StorageError.AlreadyExists, "Mailbox already exists")
                : errno == Errno.ENOENT
                    ? new StorageException(StorageError.NotFound, "No such parent mailbox", "mkdir " + path)
                    : MaildirFiles.IoError("mkdir " + path, errno);
        }
    }

    private void RequireMaildir(string path)
    {
        if (!Detect(path))
        {
            throw new StorageException(StorageError.NotFound, "No such mailbox");
        }
    }
}
