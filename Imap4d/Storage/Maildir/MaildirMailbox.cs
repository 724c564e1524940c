using Imap4d.IO;
using Imap4d.Native;
using System.Text;
using Imap4d.Storage.Index;
using Imap4d.Storage.State;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// One open maildir. Files on disk (cur/ and new/ names, their ":2," info letters) are the truth
/// for which messages exist and their flags; <see cref="MaildirUidList"/> is the truth for UIDs;
/// <see cref="MaildirIndexFile"/> (<c>imap4d.index</c>) caches everything else (names, sizes, dates,
/// flags, the recent boundary) and is trusted without listing the directories while the stamps
/// of cur/ and new/ it records still match. Every change of the UID list or index happens under
/// <see cref="MaildirLock"/>; message files are changed only by atomic rename, link and unlink.
/// </summary>
internal sealed partial class MaildirMailbox : IMailbox
{
    public const string IndexFileName = "imap4d.index";
    public const string CacheFileName = "imap4d.cache";
    private const long UnknownSize = -1;

    /// <summary>Messages from which a rescan costs more than waiting out a clock tick (see <see cref="SettledScanStart"/>).</summary>
    private const int LargeMaildir = 1000;

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    private static readonly TimeSpan TmpExpiry = TimeSpan.FromHours(36);

    private readonly string _path;
    private readonly string _indexPath;
    private readonly UserStateDirectory _userState;
    private readonly bool _appendOnly;
    private readonly HashSet<uint> _recent = [];

    // Shared state (a copy of the index, kept current under the lock): see SharedState. Its
    // _ownStampsRecheckAt is non-zero while _curStamp/_newStamp were taken after our own change,
    // not by a listing (see AfterOwnChange): the Environment.TickCount64 at which one listing is due
    // anyway; _ownSinceNs/_ownUntilNs are the same span in wall-clock time (ns since the epoch), as
    // the index header gives it to other sessions.

    // The state's _version is bumped by every change of a message's presence, flags or modseq: the view is rebuilt only when it moved.
    private long _viewVersion = -1;

    // This session's view.
    private MaildirMessageList _view = MaildirMessageList.Empty;
    private readonly Func<MaildirEntry, long> _sizeOf;
    private readonly Func<MaildirEntry, DateTimeOffset> _dateOf;
    private SourceStamp _seenCur;
    private SourceStamp _seenNew;
    private bool _disposed;

    // Where the files are now, by key, as listed without the lock when a file was not found under
    // the name we know (renamed by another session since our last scan): see Locate.
    private Dictionary<string, string>? _located;
    private SourceStamp _locatedCur;
    private SourceStamp _locatedNew;
    private bool _locatedTwice;
    private ModSeq.ModSeqCounter _counter = null!;
    private ModSeq.VanishedLog _vanished = null!;

    public MaildirMailbox(string path, string name, bool readOnly, UserStateDirectory? userState = null)
        : this(path, name, readOnly, appendOnly: false, userState)
    {
    }

    /// <param name="appendOnly">
    /// Only for <see cref="Append"/> (the target of an APPEND command): no scan of cur/ and new/,
    /// and no index write while a valid index exists. Appended messages are found by the next
    /// scan of a full open (the stamps in the index no longer match), which takes their UIDs from
    /// the UID list; they are above the index's recent boundary, so still \Recent.
    /// </param>
    public MaildirMailbox(string path, string name, bool readOnly, bool appendOnly, UserStateDirectory? userState = null)
    {
        _path = path;
        _sizeOf = SizeOf;
        _dateOf = DateOf;
        _userState = userState ?? UserStateDirectory.FromEnvironment();
        // A maildir imap4d has not met yet gets the full first open (adopting foreign UIDs needs the scan).
        _appendOnly = appendOnly && File.Exists(Path.Combine(path, MaildirUidList.FileName));
        _indexPath = IndexPathFor(path, _userState);
        // An object only for APPEND reads the index's header alone: it keeps a state of its own.
        _sharedKey = _appendOnly ? null : path + "\n" + _indexPath;
        _s = _sharedKey is null ? new SharedState() : Join(_sharedKey);
        _counter = new ModSeq.ModSeqCounter(_indexPath.Length > 0 ? _indexPath + ".modseq" : null);
        _vanished = new ModSeq.VanishedLog(_indexPath.Length > 0 ? _indexPath + ".vanished" : null);
        Name = name;
        ReadOnly = readOnly;
        try
        {
            if (_s.Keywords is null)
            {
                var keywords = MaildirKeywords.Load(path);
                lock (_s.Guard)
                {
                    _s.Keywords ??= keywords;
                }
            }

            if (!readOnly)
            {
                CleanTmp();
            }

            if (!_appendOnly)
            {
                Sync();
            }
        }
        catch
        {
            LeaveShared();
            throw;
        }
    }

    private void LeaveShared()
    {
        if (_sharedKey is not null && !_left)
        {
            _left = true;
            Leave(_sharedKey, _s);
        }
        else if (_sharedKey is null)
        {
            _s.UidList.Close(); // a state of its own (append-only): the UID list's held file goes with it
        }
    }

    public string Name { get; }

    /// <summary>
    /// <c>imap4d.index</c> inside the maildir when it is private to the user (ours, not writable by
    /// group or others), else and when `index-directory` is configured in the user's state
    /// directory; empty when there is no safe place (the index then lives in memory only).
    /// The FETCH cache goes beside it (<c>.cache</c>).
    /// </summary>
    public static string IndexPathFor(string path, UserStateDirectory userState) =>
        !userState.Forced && PrivateFiles.IsPrivateDirectory(path)
            ? Path.Combine(path, IndexFileName)
            : userState.FileFor(path, ".index") ?? string.Empty;

    /// <summary>The FETCH cache of a maildir whose index is <paramref name="indexPath"/>.</summary>
    public static string? CachePathFor(string indexPath) =>
        indexPath.Length == 0 ? null : Path.ChangeExtension(indexPath, ".cache");

    public uint UidValidity => _uidValidity;

    public uint UidNext { get; private set; } = 1;

    public bool ReadOnly { get; }

    public bool SupportsKeywords => true;

    public IReadOnlyList<MessageInfo> Messages => _view;

    public ulong HighestModSeq { get; private set; }

    public bool PersistentModSeq => _counter.Durable && !_memoryOnly;

    public ModSeq.UidSet? VanishedSince(ulong modSeq) => _vanished.Since(_uidValidity, modSeq);

    public IReadOnlySet<uint> RecentUids => _recent;

    public IReadOnlyCollection<string> Keywords =>
        _keywords.Names.Concat(ViewKeywords()).Distinct(FlagSet.KeywordComparer).ToList();

    private IEnumerable<string> ViewKeywords()
    {
        for (int i = 0; i < _view.Count; i++)
        {
            var flags = _view.FlagsAt(i);
            if (flags.Keywords.Count > 0)
            {
                foreach (string keyword in flags.Keywords)
                {
                    yield return keyword;
                }
            }
        }
    }

    /// <summary>How many times this object listed cur/ and new/ (for tests: a sync that trusts the index lists nothing).</summary>
    internal int ScanCount { get; private set; }

    /// <summary>How long stamps taken after our own changes spare the listing (see AfterOwnChange); tests raise it.</summary>
    internal int OwnStampsTrustedMs { get; set; } = 1000;

    /// <summary>Tests: run after our own renames or unlinks, before their stamps are taken (a foreign change racing them).</summary>
    internal Action? OwnChangeDoneForTest { get; set; }

    /// <summary>Tests: as <see cref="OwnChangeDoneForTest"/>, for the instances the calling test opens (the first SELECT's renames run in the constructor).</summary>
    internal static readonly AsyncLocal<Action?> OwnChangeDoneForTestOfAll = new();

    /// <summary>Messages no read-write session has seen yet (for STATUS).</summary>
    internal int UnclaimedRecentCount
    {
        get
        {
            lock (_s.Guard)
            {
                return _entries.Keys.Count(u => u > _recentBoundary);
            }
        }
    }

    private string CurDir => Path.Combine(_path, "cur");

    private string NewDir => Path.Combine(_path, "new");

    private string TmpDir => Path.Combine(_path, "tmp");

    public MailboxChanges Sync()
    {
        ThrowIfDisposed();
        if (_seenCur != SourceStamp.None && _seenNew != SourceStamp.None
            && (_ownStampsRecheckAt == 0 || Environment.TickCount64 < _ownStampsRecheckAt)
            && SourceStamp.Of(CurDir) == _seenCur && SourceStamp.Of(NewDir) == _seenNew
            && SourceStamp.Of(Path.Combine(_path, MaildirKeywords.FileName)) == _keywords.Stamp)
        {
            return MailboxChanges.None;
        }

        bool rescanned = false;
        MaildirMessageList current;
        using (MaildirLock.Acquire(_path))
        {
            LoadState();
            RefreshKeywords();
            if (SourceStamp.Of(CurDir) != _curStamp || SourceStamp.Of(NewDir) != _newStamp
                || _curStamp == SourceStamp.None || _newStamp == SourceStamp.None
                || (_ownStampsRecheckAt != 0 && Environment.TickCount64 >= _ownStampsRecheckAt))
            {
                Rescan();
                rescanned = true;
            }

            if (!ReadOnly)
            {
                var trusted = TrustedBeforeOwnChange();
                bool mailutilsKept = false;
                if (MoveNewToCur())
                {
                    if (rescanned)
                    {
                        // Before the stamps are taken: AfterOwnChange waits for the clock tick of our
                        // last rename to pass, and this (a write of .mu-prop) spends part of it.
                        KeepMailutilsInStep();
                        mailutilsKept = true;
                    }

                    // Our renames changed new/ and cur/ after the scan. Their stamps after our renames
                    // are trusted as after a STORE (every session, until the listing they put off
                    // falls due: AfterOwnChange). Where they are not (a small maildir, stamps not
                    // trusted before), new/ and cur/ are listed again now, so that the poll that ends
                    // this very SELECT does not list them and save the index a second time.
                    AfterOwnChange(trusted);
                    if (_curStamp == SourceStamp.None)
                    {
                        Rescan();
                        mailutilsKept = false;
                    }

                    rescanned = true;
                }

                if (rescanned && !mailutilsKept)
                {
                    KeepMailutilsInStep();
                }

                uint next = NextUid();
                if (_recentBoundary < next - 1)
                {
                    foreach (uint uid in _entries.Keys.Where(u => u > _recentBoundary))
                    {
                        _recent.Add(uid);
                    }

                    _recentBoundary = next - 1;
                    _dirty = true;
                }
            }
            else
            {
                // EXAMINE reports what is recent without claiming it (RFC 3501 §6.3.2).
                _recent.UnionWith(_entries.Keys.Where(u => u > _recentBoundary));
            }

            SaveIfDirty();
            // Stamps taken after our own change spare the lock too, until their listing falls due.
            _seenCur = _curStamp;
            _seenNew = _newStamp;
            if (_viewVersion == _version)
            {
                // Nothing listed, added, removed or re-flagged since this session's view was made.
                return MailboxChanges.None;
            }

            // Made under the lock: the entries are shared with the other sessions of this process.
            _viewVersion = _version;
            current = CurrentView();
        }

        if (_view.Count == 0)
        {
            // The first sync of a session (SELECT): everything is new to it, nothing to compare.
            _view = current;
            UidNext = NextUid();
            HighestModSeq = _highestModSeq;
            if (current.Count == 0)
            {
                return MailboxChanges.None;
            }

            var all = new List<uint>(current.Count);
            current.CopyUidsTo(all);
            return new MailboxChanges([], all, []);
        }

        // Both in UID order: one merge walk.
        var expunged = new List<uint>();
        var added = new List<uint>();
        var changed = new List<uint>();
        var before = _view.Items;
        var now = current.Items;
        int b = 0, n = 0;
        while (b < before.Length || n < now.Length)
        {
            if (n == now.Length || (b < before.Length && before[b].Uid < now[n].Uid))
            {
                expunged.Add(before[b++].Uid);
            }
            else if (b == before.Length || now[n].Uid < before[b].Uid)
            {
                added.Add(now[n++].Uid);
            }
            else
            {
                if (!before[b].Flags.Equals(now[n].Flags))
                {
                    changed.Add(now[n].Uid);
                }

                b++;
                n++;
            }
        }

        _recent.ExceptWith(expunged);
        _view = current;
        UidNext = NextUid();
        HighestModSeq = _highestModSeq;
        return expunged.Count == 0 && added.Count == 0 && changed.Count == 0
            ? MailboxChanges.None
            : new MailboxChanges(expunged, added, changed);
    }

    /// <summary>The state's messages as a new view, in UID order.</summary>
    private MaildirMessageList CurrentView()
    {
        if (_s.ViewRows is { } made && _s.ViewRowsVersion == _version)
        {
            // Another session made the view of this very state: its rows are never changed, only replaced.
            return new MaildirMessageList(made, _sizeOf, _dateOf);
        }

        var items = new MaildirMessageList.Row[_entries.Count];
        int i = 0;
        bool ordered = true;
        uint last = 0;
        foreach (var entry in _entries.Values)
        {
            items[i++] = new MaildirMessageList.Row(entry);
            ordered &= entry.Uid > last;
            last = entry.Uid;
        }

        if (!ordered)
        {
            // Entries come in UID order as long as the state only grew since it was loaded.
            var uids = new uint[items.Length];
            for (int k = 0; k < items.Length; k++)
            {
                uids[k] = items[k].Uid;
            }

            Array.Sort(uids, items);
        }

        _s.ViewRows = items;
        _s.ViewRowsVersion = _version;
        return new MaildirMessageList(items, _sizeOf, _dateOf);
    }

    public uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate)
    {
        ThrowIfDisposed();
        string tmpPath = Path.Combine(TmpDir, MaildirFileName.NewUnique(DateTimeOffset.UtcNow));
        var (fileSize, virtualSize) = WriteTmp(content, tmpPath, internalDate);

        try
        {
            using (MaildirLock.Acquire(_path))
            {
                if (!TryLoadForAppend())
                {
                    LoadState();
                }

                RefreshKeywords();
                EnsureLetters(flags.Keywords);
                string letters = MaildirFileName.LettersOf(flags, string.Empty, _keywords);
                // Named under the lock, so names sort (as mailutils sorts them) in the order of their UIDs.
                string unique = MaildirFileName.NewUnique(DateTimeOffset.UtcNow);
                uint uid = NextUid();
                string name = $"{unique},S={fileSize},W={virtualSize},u={uid}:2,{letters}";
                if (!MaildirFiles.TryLink(tmpPath, Path.Combine(CurDir, name)))
                {
                    throw new StorageException(StorageError.Temporary, "Could not store the message", "name collision: " + name);
                }

                // The file is in cur/ before its UID is written: a crash in between leaves a message
                // that gets a UID at the next scan; no UID is ever written for a file that does not exist.
                EnsureMailutilsProperties();
                _uidList.Append(_path, [(uid, unique)]);
                var entry = new MaildirEntry
                {
                    Uid = uid,
                    Key = unique,
                    Dir = "cur",
                    Name = name,
                    Flags = flags,
                    InternalDate = internalDate,
                    Size = virtualSize,
                    FileSize = fileSize,
                    ModSeq = ++_highestModSeq,
                };
                AddEntry(entry);
                _curStamp = SourceStamp.None;
                _dirty = true;
                _counter.Publish(_highestModSeq);
                return uid;
            }
        }
        finally
        {
            TryDelete(tmpPath);
        }
    }

    public IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags,
        StoreCondition? condition = null)
    {
        ThrowIfReadOnly();
        var changed = new List<MessageInfo>();
        var changedEntries = new List<MaildirEntry>();
        using (MaildirLock.Acquire(_path))
        using (var directories = new MaildirDirectories(_path))
        {
            LoadState();
            RefreshKeywords();
            var before = TrustedBeforeOwnChange();
            foreach (uint uid in uids.Order())
            {
                if (_view.IndexOfUid(uid) < 0 || !_entries.TryGetValue(uid, out var entry))
                {
                    continue;
                }

                if (condition is not null && !condition.Allows(uid, entry.ModSeq))
                {
                    continue;
                }

                var newFlags = entry.Flags.Apply(operation, flags);
                if (newFlags.Equals(entry.Flags))
                {
                    continue;
                }

                EnsureLetters(newFlags.Keywords);
                if (!RenameForFlags(entry, newFlags, directories))
                {
                    continue;
                }

                entry.Flags = newFlags;
                entry.ModSeq = ++_highestModSeq;
                _version++;
                changed.Add(entry.ToInfo(_sizeOf, _dateOf));
                changedEntries.Add(entry);
            }

            if (changed.Count > 0)
            {
                AfterOwnChange(before);
                _dirty = true;
                _counter.Publish(_highestModSeq);
                HighestModSeq = Math.Max(HighestModSeq, changed[^1].ModSeq);
            }

            _view = _view.With(changedEntries);
        }

        return changed;
    }

    public IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null)
    {
        ThrowIfReadOnly();
        var gone = new List<uint>();
        var only = onlyUids?.ToHashSet();
        using (MaildirLock.Acquire(_path))
        {
            LoadState();
            var before = TrustedBeforeOwnChange();
            for (int i = 0; i < _view.Count; i++)
            {
                var info = _view.Items[i];
                if ((only is not null && !only.Contains(info.Uid))
                    || !_entries.TryGetValue(info.Uid, out var entry) || !entry.Flags.Has(MessageFlags.Deleted))
                {
                    continue;
                }

                // Unlink first, then forget: a crash in between leaves a UID whose file is gone
                // (expunged at the next scan), never a file without its UID.
                if (!MaildirFiles.TryUnlink(Path.Combine(_path, entry.RelativePath)))
                {
                    Rescan();
                    if (!_entries.TryGetValue(info.Uid, out entry) || !entry.Flags.Has(MessageFlags.Deleted)
                        || !MaildirFiles.TryUnlink(Path.Combine(_path, entry.RelativePath)))
                    {
                        continue;
                    }
                }

                RemoveEntry(entry);
                gone.Add(info.Uid);
            }

            if (gone.Count > 0)
            {
                _vanished.Record(_uidValidity, ++_highestModSeq, gone);
                HighestModSeq = Math.Max(HighestModSeq, _highestModSeq);
                AfterOwnChange(before);
                _dirty = true;
                SaveIfDirty();
            }
        }

        _view = _view.Without(gone.ToHashSet());
        _recent.ExceptWith(gone);
        return gone;
    }

    public IReadOnlyList<(uint Source, uint Target)> CopyTo(IReadOnlyCollection<uint> uids, IMailbox target)
    {
        ThrowIfDisposed();
        var copied = uids.Order().Select(_view.IndexOfUid).Where(at => at >= 0).Select(at => _view[at]).ToList();
        if (target is MaildirMailbox maildir)
        {
            return maildir.LinkCopies(this, copied);
        }

        var created = target.AppendMany(copied.Select(m => new AppendItem(() => OpenContent(m.Uid), m.Flags, m.InternalDate)));
        return copied.Zip(created, (m, uid) => (m.Uid, uid)).ToList();
    }

    /// <summary>
    /// COPY between maildirs: the APPEND order with hard links instead of written copies
    /// (message files never change, so both names may share one inode, as Dovecot does).
    /// Under the lock, source files are linked straight into cur/ and their UID lines appended
    /// with one fsync. A message that cannot be linked (renamed meanwhile, another file system)
    /// ends the batch and goes through <see cref="Append"/>; the next batch starts after it.
    /// </summary>
    private List<(uint Source, uint Target)> LinkCopies(MaildirMailbox source, List<MessageInfo> messages)
    {
        var result = new List<(uint, uint)>(messages.Count);
        foreach (var info in messages)
        {
            if (source.TryGetLive(info.Uid, out var entry))
            {
                source.FactsOf(entry); // the size on disk goes into the copy's name
            }
        }

        int next = 0;
        while (next < messages.Count)
        {
            next += LinkBatch(source, messages, next, result);
            if (next < messages.Count)
            {
                var info = messages[next++];
                using var content = source.OpenContent(info.Uid);
                result.Add((info.Uid, Append(content, info.Flags, info.InternalDate)));
            }
        }

        return result;
    }

    /// <summary>Links messages from <paramref name="start"/> on until one cannot be linked; returns how many were.</summary>
    private int LinkBatch(MaildirMailbox source, List<MessageInfo> messages, int start, List<(uint, uint)> result)
    {
        ThrowIfDisposed();
        using (MaildirLock.Acquire(_path))
        {
            LoadState();
            RefreshKeywords();
            var entries = new List<MaildirEntry>();
            var assignments = new List<(uint Uid, string Key)>();
            uint uid = NextUid();
            try
            {
                for (int i = start; i < messages.Count; i++)
                {
                    var info = messages[i];
                    if (!(ReferenceEquals(source, this) ? _entries.TryGetValue(info.Uid, out var listed) : source.TryGetLive(info.Uid, out listed)))
                    {
                        break;
                    }

                    // Looked up before the lock (LinkCopies), or now, without a lock (FactsOf never takes one).
                    var original = source.FactsOf(listed);

                    EnsureLetters(info.Flags.Keywords);
                    string unique = MaildirFileName.NewUnique(DateTimeOffset.UtcNow);
                    string letters = MaildirFileName.LettersOf(info.Flags, string.Empty, _keywords);
                    string sizes = original.Size >= 0 ? $",S={original.FileSize},W={original.Size}" : $",S={original.FileSize}";
                    string name = $"{unique}{sizes},u={uid}:2,{letters}";
                    string copy = Path.Combine(CurDir, name);
                    if (Syscall.link(Path.Combine(source._path, original.RelativePath), copy) != 0
                        && !(source.Locate(original) is { } moved && Syscall.link(Path.Combine(source._path, moved), copy) == 0))
                    {
                        // Gone, or on another file system: this one goes through APPEND.
                        break;
                    }

                    entries.Add(new MaildirEntry
                    {
                        Uid = uid,
                        Key = unique,
                        Dir = "cur",
                        Name = name,
                        Flags = info.Flags,
                        // Not info.InternalDate: a lazy getter is no thing to run under a lock.
                        InternalDate = original.InternalDate,
                        Size = original.Size,
                        FileSize = original.FileSize,
                        ModSeq = ++_highestModSeq,
                    });
                    assignments.Add((uid++, unique));
                }

                // As in APPEND: the files are in cur/ before their UIDs are written.
                if (assignments.Count > 0)
                {
                    _uidList.Append(_path, assignments);
                    EnsureMailutilsProperties();
                }
            }
            catch
            {
                // No UID line names these files: take them back rather than keep copies the client is told failed.
                foreach (var entry in entries)
                {
                    TryDelete(Path.Combine(CurDir, entry.Name));
                }

                throw;
            }

            for (int i = 0; i < entries.Count; i++)
            {
                AddEntry(entries[i]);
                result.Add((messages[start + i].Uid, entries[i].Uid));
            }

            if (entries.Count > 0)
            {
                _curStamp = SourceStamp.None;
                _dirty = true;
                _counter.Publish(_highestModSeq);
            }

            return entries.Count;
        }
    }

    public bool SupportsSaveDate => true;

    /// <summary>
    /// The time at the start of the file's name (maildir names begin with the second of delivery,
    /// and our APPEND, COPY and MOVE name the files they store with the time they store them): it
    /// never changes with flags and needs no index. The file's ctime for a name without one.
    /// </summary>
    public DateTimeOffset? SaveDate(uint uid) =>
        TryGetLive(uid, out var entry)
            ? MaildirFileName.DeliveryTime(entry.Key) ?? SaveDates.OfFile(Path.Combine(_path, entry.RelativePath))
            : null;

    public Stream OpenContent(uint uid)
    {
        ThrowIfDisposed();
        if (TryGetLive(uid, out var entry))
        {
            // Renamed (or removed) by another program since our last scan: its current name is
            // looked up without the lock (see Locate), as the lazy date and size are.
            string? relative = entry.RelativePath;
            for (int attempt = 0; relative is not null && attempt < 3; attempt++)
            {
                try
                {
                    var file = MessageFile.Open(Path.Combine(_path, relative));
                    return new LfToCrlfStream(file, SizeOf(entry));
                }
                catch (FileNotFoundException)
                {
                }
                catch (DirectoryNotFoundException)
                {
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw MaildirFiles.Wrap(e, "open message in " + _path);
                }

                relative = Locate(entry, attempt == 0 ? null : relative);
            }
        }

        throw new StorageException(StorageError.NotFound, "No such message");
    }

    /// <summary>Beside the index.</summary>
    /// <summary>Deliveries land in new/, our appends, flag renames and expunges in cur/ (the UID list and index follow them).</summary>
    public IReadOnlyList<ChangeSource> ChangeSources => [new(NewDir), new(CurDir)];

    public string? FetchCacheFile => CachePathFor(_indexPath);

    /// <summary>The file's key (never reused for other content), size on disk and date: no need to count CRLF sizes.</summary>
    public ulong CacheFingerprint(MessageInfo message) =>
        TryGetLive(message.Uid, out var known) && FactsOf(known) is var entry
            ? FetchCache.Mix(FetchCache.Hash(entry.Key), FetchCache.Mix((ulong)entry.FileSize, (ulong)entry.InternalDate.ToUnixTimeMilliseconds()))
            : FetchCache.FingerprintOf(message);

    public void Checkpoint()
    {
        ThrowIfDisposed();
        if (!_dirty || (_appendOnly && _indexLoaded))
        {
            return;
        }

        using (MaildirLock.Acquire(_path))
        {
            SaveIfDirty();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Checkpoint();
        }
        catch (StorageException e)
        {
            Log.Warn(e, "maildir {0}: could not save the index: {1}", _path, e.Detail);
        }

        _disposed = true;
        LeaveShared();
    }

    // ---- shared state ----

    private uint NextUid()
    {
        return Math.Max(Math.Max(_uidList.UidNext, 1), _maxUid + 1);
    }

    /// <summary>
    /// Brings the shared state up to date with the UID list and index files (under the lock), and the
    /// MODSEQ counter with what other sessions handed out (they save the index only now and then).
    /// </summary>
    private void LoadState()
    {
        LoadFiles();
        _highestModSeq = Math.Max(_highestModSeq, _counter.Highest());
    }

    private void LoadFiles()
    {
        try
        {
            LoadFilesCore();
        }
        catch (Exception) when (Invalidated())
        {
            throw;
        }
    }

    private void LoadFilesCore()
    {
        if (_memoryOnly && _loaded)
        {
            return;
        }

        var uidState = _uidList.Refresh(_path);
        var indexStamp = SourceStamp.Of(_indexPath);
        if (_loaded && uidState == MaildirUidList.State.Ok && indexStamp == _indexStamp && _uidList.UidValidity == _uidValidity)
        {
            return;
        }

        var loaded = MaildirIndexFile.TryLoad(_indexPath);
        var index = loaded?.Header;

        switch (uidState)
        {
            case MaildirUidList.State.Ok:
                if (index is null || index.UidValidity != _uidList.UidValidity)
                {
                    index = null;
                }
                else if (_uidList.Uids.Count < loaded!.Value.Entries.Count)
                {
                    RestoreUidLines(loaded.Value.Entries);
                }

                break;

            case MaildirUidList.State.Missing when index is not null && !OfThisMaildir(index):
                // An index left by an earlier maildir of this name: its UIDs name other messages.
                index = null;
                goto case MaildirUidList.State.Missing;

            case MaildirUidList.State.Missing when index is not null:
                // The index knows every live assignment; write the list again from it.
                RewriteUidList(index.UidValidity, index.UidNext, loaded!.Value.Entries.Select(e => (e.Uid, e.Key)).ToList());
                Log.Warn("maildir {0}: UID list missing, rebuilt from the index", _path);
                break;

            case MaildirUidList.State.Missing:
                _adopting = MaildirForeignUids.Find(_path);
                RewriteUidList(_adopting?.UidValidity ?? NewUidValidity(0), _adopting?.UidNext ?? 1, []);
                if (_adopting is not null)
                {
                    Log.Info("maildir {0}: adopting {1}'s UIDs (UIDVALIDITY {2})", _path, _adopting.Source, _adopting.UidValidity);
                }

                break;

            default:
                // A UID list we cannot read: its assignments are unknown, so every UID must change.
                uint old = Math.Max(_uidList.UidValidity, index?.UidValidity ?? 0);
                Log.Error("maildir {0}: UID list corrupt; new UIDVALIDITY", _path);
                index = null;
                RewriteUidList(NewUidValidity(old), 1, []);
                break;
        }

        int expected = index is null ? 0 : loaded!.Value.Entries.Count;
        _ownStampsRecheckAt = 0;
        _version++;
        // Filled before they replace the old ones: lookups without the lock never see them half made.
        var entries = new Dictionary<uint, MaildirEntry>(expected);
        var byKey = new Dictionary<string, MaildirEntry>(expected, StringComparer.Ordinal);
        uint maxUid = 0;
        _uidValidity = _uidList.UidValidity;
        if (index is null)
        {
            _recentBoundary = _adopting is not null ? _uidList.UidNext - 1 : 0;
            if (uidState == MaildirUidList.State.Ok)
            {
                // Index lost but UIDs known: nothing already listed is new.
                _recentBoundary = _uidList.UidNext - 1;
            }

            // The index (a cache) is gone or of no use: MODSEQs go on above the durable ceiling, and
            // what vanished before now is unknown.
            _highestModSeq = _counter.RecoveryFloor(validityKept: uidState == MaildirUidList.State.Ok || _adopting is not null);
            _vanished.HistoryLost(_uidList.UidValidity, _highestModSeq);
            _curStamp = SourceStamp.None;
            _newStamp = SourceStamp.None;
            _dirty = true;
        }
        else
        {
            _recentBoundary = index.RecentBoundary;
            _highestModSeq = index.HighestModSeq;
            _curStamp = index.Cur;
            _newStamp = index.New;
            _dirty = false;
            foreach (var entry in loaded!.Value.Entries)
            {
                entries[entry.Uid] = entry;
                byKey[entry.Key] = entry;
                maxUid = Math.Max(maxUid, entry.Uid);
            }

            _uidList.RaiseUidNext(index.UidNext);
        }

        lock (_s.Guard)
        {
            _entries = entries;
            _byKey = byKey;
        }

        _maxUid = maxUid;

        _indexStamp = indexStamp;
        _indexLoaded = index is not null;
        _loaded = true;
        if (index?.Own is { } own && index.Cur == SourceStamp.None && WallClockNs() is var now && own.TrustedAt(now))
        {
            // Stamps a session took after its own changes (see AfterOwnChange): trusted here too, until
            // the same moment, when one listing falls due.
            _curStamp = own.Cur;
            _newStamp = own.New;
            _ownSinceNs = own.SinceNs;
            _ownUntilNs = own.UntilNs;
            _ownStampsRecheckAt = Environment.TickCount64 + Math.Max(1, (own.UntilNs - now) / 1_000_000);
        }
    }

    /// <summary>
    /// The UID list holds a line for every key the index knows (lines go only when their files
    /// are gone), unless a compaction lost them: one counted only the files a scan reported by
    /// name and left a list of no lines after the first SELECT of a large maildir. The index still
    /// knows those assignments: they go back into the list (under the lock), so that a lost index
    /// does not renumber the messages. Not for a UID the list gives another key.
    /// </summary>
    private void RestoreUidLines(List<MaildirEntry> entries)
    {
        var taken = new HashSet<uint>(_uidList.Uids.Values);
        var missing = entries.Where(e => !_uidList.Uids.ContainsKey(e.Key) && !taken.Contains(e.Uid))
            .OrderBy(e => e.Uid).Select(e => (e.Uid, e.Key)).ToList();
        if (missing.Count == 0 || _memoryOnly)
        {
            return;
        }

        try
        {
            _uidList.Append(_path, missing);
            Log.Warn("maildir {0}: {1} UID lines the index knew restored to {2}", _path, missing.Count, MaildirUidList.FileName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug(e, "maildir {0}: UID lines not restored", _path);
        }
    }

    /// <summary>False when the index recorded another cur/ directory (by inode) than the one here now.</summary>
    private bool OfThisMaildir(MaildirIndexFile.Header index)
    {
        long inode = SourceStamp.Of(CurDir).Inode;
        return index.Cur.Inode == 0 || index.Cur.Inode == inode;
    }

    private void RewriteUidList(uint uidValidity, uint uidNext, List<(uint Uid, string Key)> live)
    {
        try
        {
            _uidList.Rewrite(_path, uidValidity, uidNext, live);
        }
        catch (UnauthorizedAccessException) when (ReadOnly)
        {
            // A mailbox we may only read: UIDs live as long as this session.
            Log.Info("maildir {0}: not writable, UIDs kept in memory", _path);
            _uidList.Assume(uidValidity, live);
            _uidList.RaiseUidNext(uidNext);
            _memoryOnly = true;
        }
    }

    /// <summary>Never one this user had before, even for a name deleted and re-created in the same second.</summary>
    private uint NewUidValidity(uint old) => _userState.NextUidValidity(old);

    private void RefreshKeywords()
    {
        if (SourceStamp.Of(Path.Combine(_path, MaildirKeywords.FileName)) == _keywords.Stamp)
        {
            return;
        }

        _keywords = MaildirKeywords.Load(_path);
        foreach (var entry in _entries.Values)
        {
            var flags = FlagsOfName(entry.Name);
            if (!flags.Equals(entry.Flags))
            {
                entry.Flags = flags;
                entry.ModSeq = ++_highestModSeq;
                _version++;
                _dirty = true;
            }
        }
    }

    private void EnsureLetters(IEnumerable<string> keywords)
    {
        try
        {
            if (!_keywords.TryAdd(_path, keywords))
            {
                throw new StorageException(StorageError.NotPossible, "Too many keywords in this mailbox");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw MaildirFiles.Wrap(e, "write keywords of " + _path);
        }
    }

    private FlagSet FlagsOfName(string name) => MaildirFileName.FlagsOf(MaildirFileName.LettersOf(name), _keywords);

    private void AddEntry(MaildirEntry entry)
    {
        _version++;
        lock (_s.Guard)
        {
            _entries[entry.Uid] = entry;
            _byKey[entry.Key] = entry;
        }

        _maxUid = Math.Max(_maxUid, entry.Uid);
    }

    private void RemoveEntry(MaildirEntry entry)
    {
        _version++;
        lock (_s.Guard)
        {
            _entries.Remove(entry.Uid);
            _byKey.Remove(entry.Key);
        }

        _expungedKeys.Add(entry.Key);
    }

    /// <summary>
    /// Lists new/ then cur/ (in that order: a file moved from new/ to cur/ meanwhile is seen at
    /// least once) and reconciles the state: vanished keys are expunged, renamed files change
    /// flags, unknown files get UIDs (from the UID list when another session already gave one,
    /// else from an adopted foreign list, else the next UIDs in order of delivery).
    /// </summary>
    private void Rescan()
    {
        try
        {
            RescanCore();
        }
        catch (Exception) when (Invalidated())
        {
            throw;
        }
    }

    private void RescanCore()
    {
        long startNs = SettledScanStart();
        ScanCount++;
        _located = null; // the scan takes the current names: no other listing needed

        int mark = ++_scanMark;
        var newStamp = SourceStamp.Of(NewDir);
        var found = new Dictionary<string, (string Dir, string Name)>(StringComparer.Ordinal);
        MaildirDirectoryScan.List(_path, "new", _byKey, mark, found);
        var curStamp = SourceStamp.Of(CurDir);
        MaildirDirectoryScan.List(_path, "cur", _byKey, mark, found);
        if (_entries.Values.Any(e => e.ScanMark != mark && !found.ContainsKey(e.Key)))
        {
            // readdir may miss a file renamed while it runs: look again before calling it expunged.
            MaildirDirectoryScan.List(_path, "new", _byKey, mark, found);
            MaildirDirectoryScan.List(_path, "cur", _byKey, mark, found);
        }

        var vanished = new List<uint>();
        foreach (var entry in _entries.Values.Where(e => e.ScanMark != mark && !found.ContainsKey(e.Key)).ToList())
        {
            RemoveEntry(entry);
            vanished.Add(entry.Uid);
            _dirty = true;
        }

        if (vanished.Count > 0)
        {
            // Deleted by another program (or another session whose expunge we had not seen yet).
            vanished.Sort();
            _vanished.Record(_uidValidity, ++_highestModSeq, vanished);
        }

        var unknown = new List<Unlisted>(_byKey.Count == 0 ? found.Count : 0);
        foreach (var (key, (dir, name)) in found)
        {
            if (_byKey.TryGetValue(key, out var entry))
            {
                if (entry.Name != name || entry.Dir != dir)
                {
                    entry.Name = name;
                    entry.Dir = dir;
                    var flags = FlagsOfName(name);
                    if (!flags.Equals(entry.Flags))
                    {
                        entry.Flags = flags;
                        entry.ModSeq = ++_highestModSeq;
                    }

                    _dirty = true;
                    _version++;
                }

                continue;
            }

            // Not stat'ed: the date (and, without S=, the size) is looked up when a client first asks (see FactsOf).
            MaildirFileName.Fields(name, out long fileSize, out long virtualSize, out uint? mailutilsUid);
            unknown.Add(new Unlisted(key, dir, name, fileSize, virtualSize, mailutilsUid));
        }

        if (unknown.Count > 0)
        {
            AssignUids(unknown);
        }

        DropExpungedUidLines();
        _adopting = null;
        // A stamp taken within the timestamp granularity of a change may hide a later one: not kept.
        var curSafe = curStamp.IsSettledAt(startNs) ? curStamp : SourceStamp.None;
        var newSafe = newStamp.IsSettledAt(startNs) ? newStamp : SourceStamp.None;
        if (_ownStampsRecheckAt != 0)
        {
            // The listing that stamps taken after our own changes were waiting for: now they come from one.
            _ownStampsRecheckAt = 0;
            _dirty = true;
        }

        if (curSafe != _curStamp || newSafe != _newStamp)
        {
            _curStamp = curSafe;
            _newStamp = newSafe;
            _dirty = true;
        }
    }

    /// <summary>
    /// Under the lock, before our own renames or unlinks: the stamps of cur/ and new/ when they are
    /// the ones our state is trusted for (nothing changed them since), else none.
    /// </summary>
    private (SourceStamp Cur, SourceStamp New) TrustedBeforeOwnChange()
    {
        if (_curStamp == SourceStamp.None || _newStamp == SourceStamp.None || _entries.Count < LargeMaildir
            || (_ownStampsRecheckAt != 0 && Environment.TickCount64 >= _ownStampsRecheckAt))
        {
            return (SourceStamp.None, SourceStamp.None);
        }

        var cur = SourceStamp.Of(CurDir);
        var @new = SourceStamp.Of(NewDir);
        return cur == _curStamp && @new == _newStamp ? (cur, @new) : (SourceStamp.None, SourceStamp.None);
    }

    /// <summary>
    /// Under the lock, after our own renames or unlinks. Our state is the directories as they were
    /// (<paramref name="before"/>, trusted) plus our changes, so the stamps they have now could be
    /// trusted without a listing, like Dovecot's maildir sync keeps the mtime it stats after its
    /// own changes. Two kinds of foreign change (mutt, an MDA, mv: no lock) would hide behind them:
    /// one made later within the clock tick of our last change (same mtime), so we wait the tick out
    /// (a few ms, as <see cref="SettledScanStart"/> does) and take the stamps after it: any later
    /// change gets another mtime; and one made while our changes ran, which no stamp can tell from
    /// ours: for that, these stamps are trusted for one second from the first own change they rest
    /// on (by every session: the index header keeps them, with that second in wall-clock time, apart
    /// from listed stamps); the first sync after it lists once.
    /// A small maildir (listing is cheap), a whole-second file system, or stamps not trusted before
    /// leave them unknown: the next sync lists.
    /// </summary>
    private void AfterOwnChange((SourceStamp Cur, SourceStamp New) before)
    {
        (OwnChangeDoneForTest ?? OwnChangeDoneForTestOfAll.Value)?.Invoke();
        bool keep = before.Cur != SourceStamp.None && _curStamp == before.Cur && _newStamp == before.New;
        long recheckAt = _ownStampsRecheckAt;
        _curStamp = SourceStamp.None;
        _newStamp = SourceStamp.None;
        _ownStampsRecheckAt = 0;
        if (!keep)
        {
            return;
        }

        long deadline = Environment.TickCount64 + 30;
        while (true)
        {
            long now = CoarseClock.NowNs();
            var cur = SourceStamp.Of(CurDir);
            var @new = SourceStamp.Of(NewDir);
            if (cur == SourceStamp.None || @new == SourceStamp.None)
            {
                return;
            }

            if (cur.IsSettledAt(now) && @new.IsSettledAt(now))
            {
                _curStamp = cur;
                _newStamp = @new;
                if (recheckAt == 0)
                {
                    recheckAt = Environment.TickCount64 + OwnStampsTrustedMs;
                    _ownSinceNs = WallClockNs();
                    _ownUntilNs = _ownSinceNs + OwnStampsTrustedMs * 1_000_000L;
                }

                _ownStampsRecheckAt = recheckAt;
                return;
            }

            if (cur.MtimeNs % 1_000_000_000L == 0 || @new.MtimeNs % 1_000_000_000L == 0 || Environment.TickCount64 > deadline)
            {
                return;
            }

            Thread.Sleep(1);
        }
    }

    private static long WallClockNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>
    /// The coarse clock reading a scan starts at (see <see cref="SourceStamp.IsSettledAt"/>). A scan of
    /// a directory changed within the current clock tick cannot keep its stamp, so the next sync
    /// would list it all again: right after a STORE or EXPUNGE of many messages every STATUS or NOOP
    /// did. For a large maildir it is cheaper to wait out the tick (a jiffy, a few milliseconds) first.
    /// </summary>
    private long SettledScanStart()
    {
        long now = CoarseClock.NowNs();
        if (_entries.Count < LargeMaildir)
        {
            return now;
        }

        long deadline = Environment.TickCount64 + 30;
        while (MustWait(SourceStamp.Of(CurDir), now) || MustWait(SourceStamp.Of(NewDir), now))
        {
            if (Environment.TickCount64 > deadline)
            {
                break;
            }

            Thread.Sleep(1);
            now = CoarseClock.NowNs();
        }

        return now;

        // Only sub-second stamps: waiting for a whole-second file system's next second is no bargain.
        static bool MustWait(SourceStamp stamp, long now) => !stamp.IsSettledAt(now) && stamp.MtimeNs % 1_000_000_000L != 0;
    }

    /// <summary>A file a scan found whose key the state does not know: what its name tells (no stat).</summary>
    private readonly record struct Unlisted(string Key, string Dir, string Name, long FileSize, long VirtualSize, uint? MailutilsUid);

    private void AssignUids(List<Unlisted> unknown)
    {
        if (!_memoryOnly && _uidList.Refresh(_path) != MaildirUidList.State.Ok)
        {
            throw new StorageException(StorageError.Temporary, "Mailbox changed; try again", "UID list vanished under the lock: " + _path);
        }

        var used = new HashSet<uint>(_uidList.Uids.Values);
        used.UnionWith(_entries.Keys);
        // A file GNU imap4d delivered under our UIDVALIDITY keeps the UID in its name if that is still free.
        uint mailutilsFloor = _adopting is null && unknown.Exists(f => f.MailutilsUid is not null)
            && MailutilsProperties.Read(_path).UidValidity == _uidValidity ? NextUid() : uint.MaxValue;
        var assignments = new List<(uint Uid, string Key)>(unknown.Count);
        var added = new List<MaildirEntry>(unknown.Count);
        var toNumber = new List<int>();
        for (int i = 0; i < unknown.Count; i++)
        {
            var file = unknown[i];
            uint uid = 0;
            if (_uidList.Uids.TryGetValue(file.Key, out uint listed) && !_entries.ContainsKey(listed))
            {
                uid = listed;
            }
            else if (_adopting is not null)
            {
                uint candidate = _adopting.FromFileNames
                    ? file.MailutilsUid ?? 0
                    : _adopting.ByKey.GetValueOrDefault(file.Key);
                if (candidate != 0 && used.Add(candidate))
                {
                    uid = candidate;
                    assignments.Add((uid, file.Key));
                }
            }
            else if (file.MailutilsUid is uint named && named >= mailutilsFloor && used.Add(named))
            {
                uid = named;
                assignments.Add((uid, file.Key));
            }

            if (uid == 0)
            {
                toNumber.Add(i);
                continue;
            }

            added.Add(NewEntry(file, uid));
        }

        uint next = Math.Max(NextUid(), assignments.Count == 0 ? 1 : assignments.Max(a => a.Uid) + 1);
        foreach (int i in InDeliveryOrder(unknown, toNumber))
        {
            while (used.Contains(next))
            {
                next++;
            }

            var file = unknown[i];
            assignments.Add((next, file.Key));
            added.Add(NewEntry(file, next));
            next++;
        }

        AddEntries(added);
        try
        {
            _uidList.Append(_path, assignments);
        }
        catch (UnauthorizedAccessException) when (ReadOnly)
        {
            _uidList.Assume(null, assignments);
            _memoryOnly = true;
        }
    }

    /// <summary>
    /// The positions <paramref name="which"/> of <paramref name="files"/> sorted by the names'
    /// <see cref="MailutilsNames.DeliveryOrder"/>, equal ones in the order given (a stable sort):
    /// by the leading seconds (one number per name) first, then the full comparison only among
    /// names of the same second. No LINQ sort of the file records (a first SELECT of 100,000 files
    /// spent a tenth of its time there).
    /// </summary>
    private static int[] InDeliveryOrder(List<Unlisted> files, List<int> which)
    {
        int[] order = [.. which];
        var seconds = new ulong[order.Length];
        bool sorted = true;
        for (int k = 0; k < order.Length; k++)
        {
            seconds[k] = MailutilsNames.DeliverySecond(files[order[k]].Name);
            sorted &= k == 0 || seconds[k - 1] < seconds[k];
        }

        if (sorted)
        {
            return order;
        }

        // Unstable, but the position breaks every tie below.
        Array.Sort(seconds, order);
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && seconds[end] == seconds[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start, Comparer<int>.Create((a, b) =>
                {
                    int c = MailutilsNames.DeliveryOrder.Compare(files[a].Name, files[b].Name);
                    return c != 0 ? c : a.CompareTo(b);
                }));
            }

            start = end;
        }

        return order;
    }

    /// <summary>
    /// Rewrites the UID list without the lines of files that are gone, once they outnumber the
    /// files there are. Each session used to drop only what it had expunged itself, past 100: with
    /// many short sessions none ever did, and 50 clients grew the list to 13,000 lines for 17
    /// messages in five minutes (read by every session). Called at the end of a scan under the
    /// maildir lock (which every writer of the list holds), when the entries are every file the
    /// scan found: not only the files it reported by name (new or renamed ones), which left a
    /// list of no lines at all after the first SELECT of a large maildir (100 files moved from
    /// new/ out of 10,000): an index lost after that gave every message a new UID under the same
    /// UIDVALIDITY.
    /// </summary>
    private void DropExpungedUidLines()
    {
        if (_memoryOnly || ReadOnly || _uidList.Uids.Count <= Math.Max(100, 2 * _byKey.Count))
        {
            return;
        }

        try
        {
            var live = _uidList.Uids.Where(p => _byKey.ContainsKey(p.Key)).Select(p => (p.Value, p.Key)).ToList();
            _uidList.Rewrite(_path, _uidList.UidValidity, NextUid(), live);
            _expungedKeys.Clear();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "maildir {0}: UID list not compacted", _path);
        }
    }

    private MaildirEntry NewEntry(in Unlisted file, uint uid) => new()
    {
        Uid = uid,
        Key = file.Key,
        Dir = file.Dir,
        Name = file.Name,
        Flags = MaildirFileName.FlagsOf(MaildirFileName.LettersOf(file.Name), _keywords),
        InternalDate = MaildirEntry.UnknownDate,
        Size = file.VirtualSize >= 0 ? file.VirtualSize : UnknownSize,
        FileSize = file.FileSize >= 0 ? file.FileSize : UnknownSize,
        ModSeq = ++_highestModSeq,
    };

    /// <summary>New entries in one go (one lock, the dictionaries grown once); as <see cref="AddEntry"/> each.</summary>
    private void AddEntries(List<MaildirEntry> added)
    {
        if (added.Count == 0)
        {
            return;
        }

        _version++;
        uint maxUid = _maxUid;
        lock (_s.Guard)
        {
            _entries.EnsureCapacity(_entries.Count + added.Count);
            _byKey.EnsureCapacity(_byKey.Count + added.Count);
            foreach (var entry in added)
            {
                _entries[entry.Uid] = entry;
                _byKey[entry.Key] = entry;
                maxUid = Math.Max(maxUid, entry.Uid);
            }
        }

        _maxUid = maxUid;
        _dirty = true;
    }

    /// <summary>
    /// The CRLF size of a message. A name without <c>W=</c> (mail from other programs) does not
    /// tell it, so the file is read once, when a client first needs the size, and the result is
    /// kept in the index: opening a mailbox never reads message files.
    /// </summary>
    private long SizeOf(MaildirEntry entry)
    {
        if (entry.Size >= 0)
        {
            return entry.Size;
        }

        long size = CrlfSizeOf(Path.Combine(_path, entry.RelativePath));
        if (size < 0 && !_disposed && Locate(entry) is { } relative)
        {
            // Renamed by another program since our last scan: read it under its current name.
            size = CrlfSizeOf(Path.Combine(_path, relative));
        }

        if (size < 0)
        {
            bool known = entry.FileSize >= 0;
            var facts = FactsOf(entry);
            return known || ReferenceEquals(facts, entry) ? facts.FileSize : throw Gone();
        }

        entry.Size = size;
        _dirty = true;
        return size;
    }

    /// <summary>
    /// A message's date as its getter gives it to clients. A file gone before anyone looked up its
    /// date has none we could give that another session may not have given differently already
    /// (INTERNALDATE never changes; imaptest caught the time in the name contradicting the date an
    /// APPEND set): the message counts as expunged, as in Dovecot, and FETCH leaves it out with
    /// [EXPUNGEISSUED].
    /// </summary>
    private DateTimeOffset DateOf(MaildirEntry entry)
    {
        bool known = entry.InternalDate != MaildirEntry.UnknownDate;
        var facts = FactsOf(entry);
        return known || ReferenceEquals(facts, entry) ? facts.InternalDate : throw Gone(); // a copy: the file is gone
    }

    private static StorageException Gone() => new(StorageError.NotFound, "Message no longer exists");

    /// <summary>
    /// The entry with its file's date (mtime) and size on disk, stat'ed when first needed (a scan
    /// stats no file; the index keeps what was looked up). A file another program renamed since our
    /// last scan is looked for under its new name; one that is gone gets the time in its name here
    /// (fingerprints), while the date and size getters report such a message expunged (DateOf, SizeOf).
    /// Never takes the lock: this runs lazily (MessageInfo getters, fetch cache fingerprints), also
    /// where a lock is held already (COPY into this very mailbox).
    /// </summary>
    private MaildirEntry FactsOf(MaildirEntry entry)
    {
        if (entry.FactsKnown)
        {
            return entry;
        }

        if (TryGetLive(entry.Uid, out var live) && !ReferenceEquals(live, entry) && live.Key == entry.Key)
        {
            // A view made before the state was read again (another session saved the index): the
            // live entry is what the index keeps (and may know its facts already).
            var facts = FactsOf(live);
            if (ReferenceEquals(facts, live))
            {
                entry.FileSize = live.FileSize;
                entry.InternalDate = live.InternalDate;
                return entry;
            }

            return facts;
        }

        if (TryStat(entry.RelativePath)
            || (!_disposed && Locate(entry) is { } relative && (TryStat(relative) || (Locate(entry, relative) is { } again && TryStat(again)))))
        {
            return entry;
        }

        // Gone (expunged by another session or program): what its name says, kept out of the
        // entry (and so of the index) until the next scan drops it.
        return new MaildirEntry
        {
            Uid = entry.Uid,
            Key = entry.Key,
            Dir = entry.Dir,
            Name = entry.Name,
            Flags = entry.Flags,
            InternalDate = entry.InternalDate != MaildirEntry.UnknownDate ? entry.InternalDate
                : MaildirFileName.DeliveryTime(entry.Key) ?? DateTimeOffset.UnixEpoch,
            Size = entry.Size,
            FileSize = Math.Max(entry.FileSize, 0),
            ModSeq = entry.ModSeq,
        };

        bool TryStat(string relativePath)
        {
            if (!FileStatus.TryStat(Path.Combine(_path, relativePath), out long size, out long mtimeNs))
            {
                return false;
            }

            entry.FileSize = size;
            entry.InternalDate = DateTimeOffset.UnixEpoch.AddTicks(mtimeNs / 100);
            _dirty = true;
            return true;
        }
    }

    /// <summary>
    /// The current name (relative to the maildir) of a file that is not where our last scan saw
    /// it, from a listing of new/ and cur/ by key made without the lock (files are only ever
    /// renamed, linked and unlinked, so a listing is a consistent enough answer for one file) and
    /// reused while neither directory changes; listed twice before a file is called gone, as a
    /// readdir may miss a file renamed while it runs. Null when gone. The entry itself is left as
    /// it is: the next scan, under the lock, takes the new name and the flags it carries.
    /// </summary>
    private string? Locate(MaildirEntry entry, string? tried = null)
    {
        var cur = SourceStamp.Of(CurDir);
        var @new = SourceStamp.Of(NewDir);
        if (_located is null || cur == SourceStamp.None || cur != _locatedCur || @new != _locatedNew)
        {
            List();
            _locatedTwice = false;
        }

        if (Find() is { } found)
        {
            return found;
        }

        if (_locatedTwice)
        {
            // Listed twice in this state of new/ and cur/ already: gone (a third listing per
            // message would make a FETCH of many messages expunged meanwhile quadratic).
            return null;
        }

        List();
        _locatedTwice = true;
        return Find();

        string? Find() =>
            _located!.TryGetValue(entry.Key, out var relative) && relative != entry.RelativePath && relative != tried ? relative : null;

        void List()
        {
            var located = new Dictionary<string, string>(Math.Max(_located?.Count ?? 0, _entries.Count), StringComparer.Ordinal);
            foreach (string dir in (string[])["new", "cur"])
            {
                foreach (string name in MaildirFiles.ListFiles(Path.Combine(_path, dir)))
                {
                    located[MaildirFileName.KeyOf(name)] = dir + "/" + name;
                }
            }

            _located = located;
            _locatedCur = cur;
            _locatedNew = @new;
        }
    }

    /// <summary>The size of a file with every LF not preceded by CR counted as CRLF; -1 when it cannot be read.</summary>
    private static long CrlfSizeOf(string path)
    {
        try
        {
            using var file = MessageFile.Open(path);
            return LfToCrlfStream.MeasureCrlf(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Lets GNU imap4d open this maildir with our UIDVALIDITY: <c>.mu-prop</c> says ours (and our
    /// UIDNEXT) while no file carries a <c>,u=</c> other than its UID with us; otherwise mailutils
    /// would present its own numbering under our UIDVALIDITY, so the file then gets another one.
    /// Files in cur/ without <c>,u=</c> (put there by other programs) are not renamed to get one:
    /// Dovecot keys its UIDs on the name up to the ':', so mailutils numbers them itself, under its
    /// own UIDVALIDITY. After a rescan of a read-write session, under the lock.
    /// </summary>
    private void KeepMailutilsInStep()
    {
        if (_memoryOnly)
        {
            return;
        }

        bool agree = _entries.Values.All(e => MailutilsNames.UidOf(e.Name) is not uint named || named == e.Uid);
        try
        {
            if (agree)
            {
                MailutilsProperties.Write(_path, _uidValidity, NextUid());
                _mailutilsWritten = (_uidValidity, NextUid());
            }
            else if (MailutilsProperties.Read(_path).UidValidity == _uidValidity)
            {
                MailutilsProperties.Write(_path, NewUidValidity(_uidValidity), NextUid());
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug(e, "maildir {0}: {1} not written", _path, MailutilsProperties.FileName);
        }
    }

    /// <summary>Writes <c>.mu-prop</c> when this maildir has none yet (the first APPEND into a new maildir).</summary>
    private void EnsureMailutilsProperties()
    {
        if (_mailutilsWritten.Validity != _uidValidity && !File.Exists(Path.Combine(_path, MailutilsProperties.FileName)))
        {
            WriteMailutilsProperties();
        }
    }

    private void WriteMailutilsProperties()
    {
        var wanted = (_uidValidity, NextUid());
        if (_mailutilsWritten == wanted)
        {
            return;
        }

        try
        {
            MailutilsProperties.Write(_path, wanted.Item1, wanted.Item2);
            _mailutilsWritten = wanted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug(e, "maildir {0}: {1} not written", _path, MailutilsProperties.FileName);
        }
    }

    /// <summary>
    /// Read-write sessions take delivered messages: new/x becomes cur/x,u=UID:2, (other maildir
    /// readers add ":2,"; GNU mailutils adds its ",u=" too, so Dovecot, keying on the name up to the
    /// ':', takes a message that left new/ this way for a new one if it had listed it there).
    /// </summary>
    /// <returns>True when a file was moved.</returns>
    private bool MoveNewToCur()
    {
        bool moved = false;
        using var directories = new MaildirDirectories(_path);
        foreach (var entry in _entries.Values.Where(e => e.Dir == "new").ToList())
        {
            // The name in cur/ carries the UID for GNU mailutils, which otherwise numbers the file
            // under a new UIDVALIDITY of its own (it renames it so itself when it moves it).
            var parsed = MaildirFileName.Parse(entry.Name);
            string target = (parsed.MailutilsUid is null ? parsed.Base + $",u={entry.Uid}" : parsed.Base) + ":" + (parsed.Info ?? "2,");
            if (directories.TryRenameIntoCur("new", entry.Name, target))
            {
                entry.Dir = "cur";
                entry.Name = target;
                _dirty = true;
                moved = true;
            }
            else
            {
                // Gone from new/ under us (another program took it): the stamps after our renames
                // would hide that, so they are not trusted (see AfterOwnChange); the next listing finds it.
                _curStamp = SourceStamp.None;
                moved = true;
            }
        }

        return moved;
    }

    /// <summary>Renames the file to carry <paramref name="flags"/>; false when it is gone.</summary>
    private bool RenameForFlags(MaildirEntry entry, FlagSet flags, MaildirDirectories directories)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var parsed = MaildirFileName.Parse(entry.Name);
            string target = MailutilsNames.WithoutStaleAttributes(parsed.Base) + ":2," + MaildirFileName.LettersOf(flags, parsed.Letters, _keywords);
            if (directories.TryRenameIntoCur(entry.Dir, entry.Name, target))
            {
                entry.Dir = "cur";
                entry.Name = target;
                return true;
            }

            // Renamed by another program meanwhile: find its current name and try again.
            Rescan();
            if (!_entries.TryGetValue(entry.Uid, out var current) || current != entry)
            {
                return false;
            }
        }

        return false;
    }

    private void SaveIfDirty()
    {
        if (!_dirty)
        {
            return;
        }

        _counter.Publish(_highestModSeq);
        if (SourceStamp.Of(_indexPath) != _indexStamp)
        {
            // Another session wrote a newer index; ours is re-derivable from the files, so let it win.
            _dirty = false;
            _loaded = false;
            return;
        }

        // Stamps taken after our own change go in a field of their own, with the time their listing
        // falls due (see AfterOwnChange): a session that loads the index after that lists.
        var header = _ownStampsRecheckAt == 0
            ? new MaildirIndexFile.Header(_uidValidity, NextUid(), _recentBoundary, _highestModSeq, _curStamp, _newStamp)
            : new MaildirIndexFile.Header(_uidValidity, NextUid(), _recentBoundary, _highestModSeq, SourceStamp.None, SourceStamp.None,
                new MaildirIndexFile.OwnStamps(_curStamp, _newStamp, _ownSinceNs, _ownUntilNs));
        if (_indexPath.Length == 0)
        {
            _dirty = false;
            return;
        }

        try
        {
            MaildirIndexFile.Save(_indexPath, header, _entries.Values);
            _indexStamp = SourceStamp.Of(_indexPath);
            _dirty = false;
            if (_expungedKeys.Count > Math.Max(100, _uidList.Uids.Count / 4))
            {
                // Drop the lines of expunged messages; keep every other line (even of files a
                // racing readdir may have missed), and keep UIDNEXT in the header.
                var live = _uidList.Uids.Where(p => !_expungedKeys.Contains(p.Key)).Select(p => (p.Value, p.Key)).ToList();
                _uidList.Rewrite(_path, _uidValidity, NextUid(), live);
                _expungedKeys.Clear();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "maildir {0}: index not saved", _path);
        }
    }

    private void CleanTmp()
    {
        try
        {
            var limit = DateTimeOffset.UtcNow - TmpExpiry;
            foreach (string name in MaildirFiles.ListFiles(TmpDir))
            {
                string path = Path.Combine(TmpDir, name);
                if (MaildirFiles.StatFile(path) is { } st && st.Mtime < limit && st.Atime < limit)
                {
                    TryDelete(path);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StorageException)
        {
            Log.Debug(e, "maildir {0}: tmp/ not cleaned", _path);
        }
    }

    /// <summary>
    /// Writes a message into tmp/ (LF, fsync unless <paramref name="sync"/> is false, mtime = internal
    /// date); returns (file size, CRLF size).
    /// </summary>
    private (long FileSize, long VirtualSize) WriteTmp(Stream content, string tmpPath, DateTimeOffset internalDate, bool sync = true)
    {
        try
        {
            var sizes = WriteLf(content, tmpPath, sync);
            File.SetLastWriteTimeUtc(tmpPath, internalDate.UtcDateTime);
            return sizes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmpPath);
            throw MaildirFiles.Wrap(e, "append to " + _path);
        }
    }

    /// <summary>Copies <paramref name="content"/> to <paramref name="path"/> with CRLF made LF; returns (file size, CRLF size).</summary>
    private static (long FileSize, long VirtualSize) WriteLf(Stream content, string path, bool sync = true)
    {
        using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        var input = new byte[64 * 1024];
        var outBuffer = new byte[64 * 1024 + 1];
        long fileSize = 0;
        long virtualSize = 0;
        bool pendingCr = false;
        bool lastWasCr = false;
        int read;
        while ((read = content.Read(input, 0, input.Length)) > 0)
        {
            int j = 0;
            for (int i = 0; i < read; i++)
            {
                byte b = input[i];
                if (pendingCr)
                {
                    pendingCr = false;
                    if (b != '\n')
                    {
                        outBuffer[j++] = (byte)'\r';
                        virtualSize++;
                        lastWasCr = true;
                    }
                }

                if (b == '\r')
                {
                    pendingCr = true;
                    continue;
                }

                if (b == '\n')
                {
                    // Stored as LF; served as CRLF unless the stored byte before it is a CR.
                    virtualSize += lastWasCr ? 1 : 2;
                }
                else
                {
                    virtualSize++;
                }

                outBuffer[j++] = b;
                lastWasCr = false;
            }

            output.Write(outBuffer, 0, j);
            fileSize += j;
        }

        if (pendingCr)
        {
            output.WriteByte((byte)'\r');
            fileSize++;
            virtualSize++;
        }

        output.Flush(flushToDisk: sync);
        return (fileSize, virtualSize);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void ThrowIfReadOnly()
    {
        ThrowIfDisposed();
        if (ReadOnly)
        {
            throw new StorageException(StorageError.NotPossible, "Mailbox is read-only");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
