using Imap4d.Native;
using Imap4d.Storage.Index;
using Imap4d.Storage.Locking;
using Imap4d.Storage.State;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Unix mbox files (mboxrd written, mboxo/mboxrd/Content-Length read), compatible with GNU
/// mailutils, Dovecot, UW imapd and mutt: UIDs in X-IMAPbase/X-UID, flags in Status/X-Status/X-Keywords.
/// </summary>
public sealed class MboxDriver : IMailboxDriver
{
    private readonly Func<string, string> _indexPathFor;
    private readonly UserStateDirectory _userState;

    /// <param name="indexPathFor">Where the index of a mailbox lives; <see cref="MboxIndexLocation.For"/> when null.</param>
    /// <param name="userState">The user's state directory (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public MboxDriver(LockingOptions? locking = null, Func<string, string>? indexPathFor = null, UserStateDirectory? userState = null)
    {
        Locking = locking ?? LockingOptions.Default;
        _userState = userState ?? UserStateDirectory.FromEnvironment();
        _indexPathFor = indexPathFor ?? (path => MboxIndexLocation.For(path, _userState));
    }

    public string Type => "mbox";

    public LockingOptions Locking { get; }

    public string IndexPathFor(string path) => _indexPathFor(path);

    /// <summary>GNU rules: a regular file that is empty or starts with "From ".</summary>
    public bool Detect(string path)
    {
        if (Syscall.stat(path, out Stat st) != 0 || (st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
        {
            return false;
        }

        if (st.st_size == 0)
        {
            return true;
        }

        // A bare descriptor: a FileStream would also fstat, lseek and take and drop a shared flock (its FileShare), for five bytes.
        int fd = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return false;
        }

        using var file = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            Span<byte> head = stackalloc byte[5];
            return RandomAccess.Read(file, head, 0) == 5 && head.SequenceEqual("From "u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Create(string path, UnixFileMode mode)
    {
        int fd = Syscall.open(path, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL, (FilePermissions)(uint)mode);
        if (fd < 0)
        {
            throw Failure(NativeErrno.Last, path, "create");
        }

        Syscall.close(fd);
    }

    public IMailbox Open(string path, string name, bool readOnly)
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            throw Failure(NativeErrno.Last, path, "open");
        }

        if ((st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
        {
            throw new StorageException(StorageError.NotPossible, "Not a mailbox");
        }

        return new MboxMailbox(NewState(path), name, readOnly);
    }

    /// <summary>Only to append: no view, no lock until the append itself (see <see cref="MboxMailbox"/>).</summary>
    public IMailbox OpenForAppend(string path, string name)
    {
        if (Syscall.stat(path, out Stat st) != 0)
        {
            throw Failure(Stdlib.GetLastError(), path, "open");
        }

        if ((st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
        {
            throw new StorageException(StorageError.NotPossible, "Not a mailbox");
        }

        return new MboxMailbox(NewState(path), name, readOnly: true, forAppend: true);
    }

    internal MboxState NewState(string path) => new(path, _indexPathFor(path), Locking, _userState);

    public MailboxStatus GetStatus(string path)
    {
        if (Syscall.stat(path, out _) != 0)
        {
            throw Failure(NativeErrno.Last, path, "status");
        }

        var state = NewState(path);
        try
        {
            // The index file's header holds the counts: a stat and a read when the mbox is as it describes.
            if (state.TryStatusFromHeader() is { } quick)
            {
                return quick;
            }

            using (var held = state.Lock())
            {
                state.Refresh(held, save: true);
                state.EnsureValidity();
                state.SaveIfDirty();
            }

            var index = state.Index;
            // RFC 7162 §3.1.10: 0 for a mailbox whose MODSEQs do not last (index in memory only: NOMODSEQ).
            return new MailboxStatus((uint)index.Count, (uint)index.Recent, index.UidNext, index.UidValidity, (uint)index.Unseen,
                state.Persistent ? index.HighestModSeq : 0);
        }
        finally
        {
            state.Close();
        }
    }

    /// <summary>
    /// STATUS rests on the content of the mbox and of its index file, and on where the index is:
    /// the owner, mode and type of the mbox's directory and of its <c>.imap4d</c> decide it (see
    /// <see cref="MboxIndexLocation"/>), not the files coming and going in them. Every writer
    /// changes the stamp of the mbox (appends, rewrites, another program) or of the index (STORE,
    /// a session claiming \Recent, a rebuild). Null when the index is kept in memory only: each
    /// STATUS then works it out afresh.
    /// </summary>
    public IReadOnlyList<StatusDependency>? StatusDependencies(string path)
    {
        string index = _indexPathFor(path);
        if (index.Length == 0)
        {
            return null;
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        return
        [
            new(path), new(index), new(directory, PlaceOnly: true),
            new(Path.Combine(directory, MboxIndexLocation.DirectoryName), PlaceOnly: true, FollowLinks: false),
        ];
    }

    /// <summary>
    /// STATUS from the index header alone (the index is the second of
    /// <see cref="StatusDependencies"/>): when the header's record of the mbox it was made from is
    /// <paramref name="mailbox"/> whole (size, mtime, ctime, inode: the comparison every open
    /// makes before it trusts the index), no append journal is pending, and no write is in
    /// progress. The header's counters are the index's own, exact however quickly writes follow
    /// each other; nothing is locked, resolved or parsed.
    /// </summary>
    public MailboxStatus? RecheckStatus(IReadOnlyList<StatusDependency> files, SourceStamp mailbox)
    {
        if (files.Count < 2 || files[1] is not { PlaceOnly: false, Path: { Length: > 0 } index } || mailbox == SourceStamp.None
            || Syscall.lstat(index + ".append", out _) == 0)
        {
            return null;
        }

        return MboxIndexFile.ReadStatus(index, mailbox);
    }

    /// <summary>STATUS SIZE from the index records (RFC822.SIZE of each is kept there): no message is read.</summary>
    public ulong GetSize(string path)
    {
        if (Syscall.stat(path, out _) != 0)
        {
            throw Failure(NativeErrno.Last, path, "status");
        }

        var state = NewState(path);
        try
        {
            if (!state.TryLoadUnlocked())
            {
                using var held = state.Lock();
                state.Refresh(held, save: true);
                state.EnsureValidity();
                state.SaveIfDirty();
            }

            return state.Index.TotalSize();
        }
        finally
        {
            state.Close();
        }
    }

    /// <summary>The mbox file and its index (another session's STORE changes only the index).</summary>
    public IReadOnlyList<ChangeSource> ChangeSources(string path) =>
        IndexPathFor(path) is { Length: > 0 } index ? [ChangeSource.ForFile(path), ChangeSource.ForFile(index)] : [ChangeSource.ForFile(path)];

    public void Delete(string path)
    {
        if (Syscall.unlink(path) != 0)
        {
            throw Failure(NativeErrno.Last, path, "delete");
        }

        string index = _indexPathFor(path);
        if (index.Length == 0)
        {
            return;
        }

        foreach (string file in StateFiles(index))
        {
            TryDelete(file);
        }
    }

    public void Rename(string from, string to)
    {
        if (Syscall.lstat(to, out _) == 0)
        {
            throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
        }

        string oldIndex = _indexPathFor(from);
        if (Syscall.rename(from, to) != 0)
        {
            throw Failure(NativeErrno.Last, from, "rename");
        }

        // The index and its cache travel with the mailbox (same UIDVALIDITY, same UIDs); where they
        // cannot, they are deleted so that nothing of the old name is found by a new mailbox there.
        string newIndex = _indexPathFor(to);
        if (oldIndex.Length == 0)
        {
            return;
        }

        string[] oldFiles = StateFiles(oldIndex);
        string[]? newFiles = newIndex.Length > 0 ? StateFiles(newIndex) : null;
        for (int i = 0; i < oldFiles.Length; i++)
        {
            try
            {
                if (!File.Exists(oldFiles[i]))
                {
                    if (newFiles is not null)
                    {
                        TryDelete(newFiles[i]); // a leftover of an earlier mailbox of the new name
                    }

                    continue;
                }

                string? directory = newFiles is null ? null : Path.GetDirectoryName(newFiles[i]);
                if (directory is not null && (Directory.Exists(directory) || PrivateFiles.EnsureDirectory(directory)))
                {
                    File.Move(oldFiles[i], newFiles![i], overwrite: true);
                }
                else
                {
                    File.Delete(oldFiles[i]);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(oldFiles[i]); // the index is a cache; the new name re-parses
            }
        }
    }

    /// <summary>
    /// Every file kept for a mailbox whose index is <paramref name="index"/>: index, FETCH cache, append
    /// journal, MODSEQ counter, expunged UIDs.
    /// </summary>
    private static string[] StateFiles(string index) =>
        [index, Path.ChangeExtension(index, ".cache"), index + ".append", index + ".modseq", index + ".vanished"];

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: a stale index is detected by its stamp, a stale cache entry by its fingerprint.
        }
    }

    private static StorageException Failure(Errno errno, string path, string what) => errno switch
    {
        Errno.EEXIST => new StorageException(StorageError.AlreadyExists, "Mailbox already exists", $"{what} {path}"),
        Errno.ENOENT or Errno.ENOTDIR => new StorageException(StorageError.NotFound, "No such mailbox", $"{what} {path}"),
        Errno.EACCES or Errno.EPERM or Errno.EROFS => new StorageException(StorageError.NoPermission, "Permission denied", $"{what} {path}: {errno}"),
        Errno.ENOSPC or Errno.EDQUOT => new StorageException(StorageError.OverQuota, "Disk full", $"{what} {path}: {errno}"),
        _ => new StorageException(StorageError.Temporary, "Cannot access mailbox", $"{what} {path}: {errno}"),
    };
}
