using Imap4d.Native;
using Imap4d.IO;
using Imap4d.Storage.Index;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

/// <summary>
/// An open MH folder. Every change is written at once (Checkpoint has nothing left to do).
/// Write orders, each under <see cref="MhLock"/>, chosen so a SIGKILL anywhere leaves every
/// message readable, none lost, duplicated or altered:
/// <list type="bullet">
/// <item>APPEND: write <c>.imap4d/tmp.*</c> (a dot directory: ignored by nmh and mailutils), fsync, set mtime = internal
/// date; <c>link</c> it to the first free number above the highest (link never overwrites: EEXIST means
/// nmh took that number, try the next); unlink the temp name; then .mh_sequences; then the index.
/// A crash before the link leaves only a temp file (removed when old); after it, the message is
/// there and is found by the next rescan (flags possibly not yet in the sequences).</item>
/// <item>STORE: .mh_sequences (journalled, see <see cref="MhLock"/>), then the index.</item>
/// <item>EXPUNGE: first drop the numbers from every sequence but <c>cur</c> (so a number reused later
/// inherits no flags, above all not <c>deleted</c>), then unlink the files (mailutils unlinks too;
/// nmh's <c>rmm</c> would rename to <c>,N</c>), then the index. A crash in between leaves a message
/// without its flags, or a missing file the next rescan reports as expunged.</item>
/// </list>
/// </summary>
internal sealed partial class MhMailbox : IMailbox
{
    private readonly MhFolder _folder;
    private readonly bool _canWrite;
    /// <summary>Opened only to APPEND to: nothing but an append changes this folder's index in memory.</summary>
    private readonly bool _appendOnly;
    private Action<MhFolder>? _release;
    private readonly HashSet<uint> _recent = [];
    private List<MessageInfo> _view = [];
    /// <summary>The record each message of the view was made from: where its file is and what it held.</summary>
    private Dictionary<uint, IndexRecord> _files = [];
    private long _seenGeneration = -1;
    /// <summary>CRLF sizes this session counted for records that had none (see <see cref="ToInfo"/>).</summary>
    private readonly Dictionary<uint, long> _measuredSizes = [];
    private int _unsavedSizes;

    /// <param name="appendOnly">Only to APPEND to (see <see cref="IMailboxDriver.OpenForAppend"/>): no message list is
    /// read now; the append reads the index under its lock anyway.</param>
    /// <param name="folder">With <paramref name="appendOnly"/>: the folder state a previous append-only open kept
    /// (see <see cref="MhDriver.OpenForAppend"/>); <paramref name="release"/> gets it back at Dispose.</param>
    public MhMailbox(string path, string name, bool readOnly, State.UserStateDirectory? userState = null, bool appendOnly = false,
        MhFolder? folder = null, Action<MhFolder>? release = null)
    {
        _folder = appendOnly && folder is not null ? folder : new MhFolder(path, userState);
        _appendOnly = appendOnly;
        _release = appendOnly ? release : null;
        _canWrite = _folder.CanWrite();
        Name = name;
        ReadOnly = readOnly;
        if (!appendOnly)
        {
            Sync();
        }
        else if (_canWrite)
        {
            // The temp files are written there before the lock (which would make it) is taken.
            Syscall.mkdir(System.IO.Path.Combine(path, MhLock.StateDirName), FilePermissions.S_IRWXU);
        }
    }

    public string Name { get; }

    /// <summary>How many times this mailbox listed its folder and checked the files (for tests).</summary>
    internal int ScanCount => _folder.ScanCount;

    /// <summary>How many times this mailbox listed its folder, by a scan or alone (for tests).</summary>
    internal int ListCount => _folder.ListCount;

    /// <summary>How many times this mailbox read and applied .mh_sequences in a sync (for tests).</summary>
    internal int SequenceReads => _folder.SequenceReads;

    public uint UidValidity { get; private set; }

    public uint UidNext { get; private set; }

    public bool ReadOnly { get; }

    public bool SupportsKeywords => true;

    public IReadOnlyList<MessageInfo> Messages => _view;

    public ulong HighestModSeq { get; private set; }

    public bool PersistentModSeq => _canWrite;

    public ModSeq.UidSet? VanishedSince(ulong modSeq) => _folder.Vanished.Since(UidValidity, modSeq);

    public IReadOnlySet<uint> RecentUids => _recent;

    public IReadOnlyCollection<string> Keywords =>
        _view.SelectMany(m => m.Flags.Keywords).Distinct(FlagSet.KeywordComparer).ToList();

    public MailboxChanges Sync()
    {
        using var mhLock = Lock();
        // One save for what the refresh found and the recent boundary claimed below (a first SELECT wrote the index twice).
        _folder.Refresh(mhLock, _canWrite, deferSave: true);
        var index = _folder.Index;
        UidValidity = index.UidValidity;
        UidNext = index.UidNext;
        if (_folder.Generation == _seenGeneration)
        {
            if (_folder.SavePending)
            {
                _folder.Save(_canWrite);
            }

            return MailboxChanges.None;
        }

        var before = new Dictionary<uint, MessageInfo>(_view.Count);
        foreach (var info in _view)
        {
            before[info.Uid] = info;
        }

        var current = new List<MessageInfo>(index.Records.Count);
        var files = new Dictionary<uint, IndexRecord>(index.Records.Count);
        var added = new List<uint>();
        var changed = new List<uint>();
        foreach (var record in index.Records)
        {
            var info = ToInfo(record);
            current.Add(info);
            files[record.Uid] = record;
            if (!before.Remove(record.Uid, out var old))
            {
                added.Add(record.Uid);
            }
            else if (!old.Flags.Equals(info.Flags))
            {
                changed.Add(record.Uid);
            }
        }

        var expunged = before.Keys.Order().ToList();
        if (!ReadOnly)
        {
            foreach (uint uid in added.Where(u => u > index.RecentBoundary))
            {
                _recent.Add(uid);
            }

            if (index.RecentBoundary < index.UidNext - 1)
            {
                index.RecentBoundary = index.UidNext - 1;
                _folder.Save(_canWrite);
            }
        }
        else
        {
            // EXAMINE reports what is recent without claiming it (RFC 3501 §6.3.2).
            _recent.UnionWith(added.Where(u => u > index.RecentBoundary));
        }

        if (_folder.SavePending)
        {
            _folder.Save(_canWrite);
        }

        _recent.ExceptWith(expunged);
        _view = current;
        _files = files;
        _seenGeneration = _folder.Generation;
        HighestModSeq = index.HighestModSeq;
        return new MailboxChanges(expunged, added, changed);
    }

    public uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate) =>
        AppendAll([new AppendItem(() => content, flags, internalDate)], ownsStreams: false)[0];

    /// <summary>
    /// COPY and MULTIAPPEND: every message written to a temp file first, then one lock, one
    /// rescan, one .mh_sequences write and one index save for all of them. One <see cref="Append"/>
    /// per message re-checked every file the batch had already added (each still fresh, so
    /// fingerprinted) and rewrote the sequences, the index and .mu-prop each time: COPY 1:1000
    /// took 29 s.
    /// </summary>
    public IReadOnlyList<uint> AppendMany(IEnumerable<AppendItem> messages) => AppendAll(messages, ownsStreams: true);

    private List<uint> AppendAll(IEnumerable<AppendItem> messages, bool ownsStreams)
    {
        if (!_canWrite)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox is not writable", _folder.Path);
        }

        var written = new List<(string Temp, long CrlfSize, FlagSet Flags, DateTimeOffset Date)>();
        var uids = new List<uint>();
        try
        {
            foreach (var message in messages)
            {
                string temp = Path.Combine(_folder.Path, MhFolder.TempPrefix + Environment.ProcessId + "." + Guid.NewGuid().ToString("N"));
                written.Add((temp, WriteTemp(message, temp, ownsStreams), message.Flags, message.InternalDate));
            }

            // Data on disk before any name points at it. (A FileStream opened for reading ignores
            // Flush(flushToDisk: true): these temp files were never fsynced.)
            foreach (var message in written)
            {
                MhFolder.FsyncFile(message.Temp);
            }

            if (written.Count == 0)
            {
                return uids;
            }

            using var mhLock = Lock();
            // Saved with the appended records below: an append-only open writes them in place.
            _folder.Refresh(mhLock, _canWrite, deferSave: _appendOnly, forAppend: true);
            var listedBefore = _folder.TrustedListing();
            var index = _folder.Index;
            // Only an append-only open is sure nothing but appends changed the index since it was saved.
            int savedCount = _appendOnly ? index.Records.Count : -1;
            UidValidity = index.UidValidity;
            var sequences = MhSequences.Parse(mhLock.ReadSequences());
            int number = NextMessageNumber(index);
            Errno failure = 0;
            foreach (var message in written)
            {
                while (Syscall.link(message.Temp, _folder.MessagePath(number.ToString())) != 0)
                {
                    var errno = NativeErrno.Last;
                    if (errno != Errno.EEXIST)
                    {
                        failure = errno;
                        break;
                    }

                    number++;
                }

                if (failure != 0)
                {
                    break; // what is linked stays and is recorded below; the caller learns the rest failed
                }

                Syscall.unlink(message.Temp);

                // Identified after the link and unlink: both change the ctime.
                FileIdentity identity;
                long length;
                using (var stream = new FileStream(_folder.MessagePath(number.ToString()), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
                {
                    identity = MhFolder.Identify(stream, out length) with { Complete = true };
                }

                uint uid = Math.Max(index.UidNext, (uint)number);
                index.UidNext = uid + 1;
                sequences.RemoveEverywhere([number], MhFlagMap.Cur);
                MhFlagMap.Write(sequences, number, FlagSet.Empty, message.Flags);
                index.Records.Add(new IndexRecord(uid, message.Flags, message.Date, message.CrlfSize, ++index.HighestModSeq, number.ToString(),
                    Length: length, Extra: MhFolder.MakeExtra(identity)));
                uids.Add(uid);
                number++;
            }

            mhLock.WriteSequences(sequences.Format());
            _folder.SequencesWritten();
            _folder.LinksWritten(listedBefore);
            _folder.Touch();
            _folder.SaveAppended(_canWrite, savedCount);
            if (failure != 0)
            {
                throw new StorageException(failure is Errno.ENOSPC or Errno.EDQUOT ? StorageError.OverQuota : StorageError.Temporary,
                    "Cannot write message", _folder.Path + ": link: " + failure);
            }

            return uids;
        }
        finally
        {
            foreach (var message in written)
            {
                if (File.Exists(message.Temp))
                {
                    File.Delete(message.Temp);
                }
            }
        }
    }

    /// <summary>Writes one message (LF line ends) to <paramref name="temp"/> with mtime = internal date; returns its CRLF size.</summary>
    private static long WriteTemp(AppendItem message, string temp, bool ownsStream)
    {
        var content = message.Open();
        try
        {
            long crlfSize;
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                crlfSize = LfWriter.Copy(content, stream).CrlfSize;
                stream.Flush();
                Writeback.Start(stream.SafeFileHandle);
            }

            File.SetLastWriteTimeUtc(temp, message.InternalDate.UtcDateTime);
            return crlfSize;
        }
        finally
        {
            if (ownsStream)
            {
                content.Dispose();
            }
        }
    }

    public IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags,
        StoreCondition? condition = null)
    {
        ThrowIfReadOnly();
        using var mhLock = Lock();
        _folder.Refresh(mhLock, _canWrite);
        var index = _folder.Index;
        var sequences = MhSequences.Parse(mhLock.ReadSequences());
        var position = PositionsByUid(index);
        var changed = new List<MessageInfo>();
        foreach (uint uid in uids.Distinct().Order())
        {
            if (!_files.ContainsKey(uid) || !position.TryGetValue(uid, out int i))
            {
                continue;
            }

            var record = index.Records[i];
            if (condition is not null && !condition.Allows(uid, record.ModSeq))
            {
                continue;
            }

            var newFlags = record.Flags.Apply(operation, flags);
            if (newFlags.Equals(record.Flags))
            {
                continue;
            }

            MhFlagMap.Write(sequences, int.Parse(record.Key), record.Flags, newFlags);
            record = record with { Flags = newFlags, ModSeq = ++index.HighestModSeq };
            index.Records[i] = record;
            changed.Add(ToInfo(record));
        }

        if (changed.Count == 0)
        {
            return changed;
        }

        mhLock.WriteSequences(sequences.Format());
        _folder.SequencesWritten();
        _folder.Touch();
        _folder.Save(_canWrite);
        HighestModSeq = Math.Max(HighestModSeq, changed[^1].ModSeq);
        var byUid = changed.ToDictionary(m => m.Uid);
        _view = _view.Select(m => byUid.GetValueOrDefault(m.Uid, m)).ToList();
        return changed;
    }

    public IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null)
    {
        ThrowIfReadOnly();
        using var mhLock = Lock();
        _folder.Refresh(mhLock, _canWrite);
        // When the refresh found news (a delivery), the view has not taken them in yet: leave
        // the generation unseen so the next Sync reports them.
        bool viewWasCurrent = _folder.Generation == _seenGeneration;
        var index = _folder.Index;
        var targets = index.Records
            .Where(r => r.Flags.Has(MessageFlags.Deleted) && _files.ContainsKey(r.Uid) && (onlyUids is null || onlyUids.Contains(r.Uid)))
            .ToList();
        if (targets.Count == 0)
        {
            return [];
        }

        var sequences = MhSequences.Parse(mhLock.ReadSequences());
        if (sequences.RemoveEverywhere(targets.Select(r => int.Parse(r.Key)).ToList(), MhFlagMap.Cur))
        {
            mhLock.WriteSequences(sequences.Format());
            _folder.SequencesWritten();
        }

        foreach (var record in targets)
        {
            string file = _folder.MessagePath(record.Key);
            if (Syscall.lstat(file, out var st) == 0 && (long)st.st_ino == MhFolder.InodeOf(record) && Syscall.unlink(file) != 0)
            {
                throw new StorageException(StorageError.Temporary, "Cannot remove message", file + ": " + NativeErrno.Last);
            }
        }

        var gone = targets.Select(r => r.Uid).ToHashSet();
        index.Records.RemoveAll(r => gone.Contains(r.Uid));
        _folder.Vanished.Record(index.UidValidity, ++index.HighestModSeq, gone);
        HighestModSeq = Math.Max(HighestModSeq, index.HighestModSeq);
        _folder.Touch();
        _folder.Save(_canWrite);
        _view = _view.Where(m => !gone.Contains(m.Uid)).ToList();
        foreach (uint uid in gone)
        {
            _files.Remove(uid);
        }

        _recent.ExceptWith(gone);
        if (viewWasCurrent)
        {
            _seenGeneration = _folder.Generation;
        }

        return gone.Order().ToList();
    }

    public IReadOnlyList<(uint Source, uint Target)> CopyTo(IReadOnlyCollection<uint> uids, IMailbox target)
    {
        var byUid = _view.ToDictionary(m => m.Uid);
        var copied = uids.Distinct().Order().Where(byUid.ContainsKey).Select(uid => byUid[uid]).ToList();
        if (target is MhMailbox folder && folder._folder.Path != _folder.Path)
        {
            return LinkCopies(folder, copied);
        }

        var created = target.AppendMany(copied.Select(m => new AppendItem(() => OpenContent(m.Uid), m.Flags, m.InternalDate)));
        return copied.Zip(created, (m, uid) => (m.Uid, uid)).ToList();
    }

    public bool SupportsSaveDate => true;

    /// <summary>The message file's ctime (see <see cref="SaveDates"/>): written when it was stored here.</summary>
    public DateTimeOffset? SaveDate(uint uid) => _files.TryGetValue(uid, out var record) ? SaveDates.OfFile(_folder.MessagePath(record.Key)) : null;

    public Stream OpenContent(uint uid)
    {
        if (!_files.TryGetValue(uid, out var file))
        {
            throw new StorageException(StorageError.NotFound, "No such message");
        }

        var stream = TryOpen(file);
        if (stream is null)
        {
            // Renumbered by another program (folder -pack) since our last look, or another file under
            // its number: find it again, checking every file (a file rewritten in place, or a new one on
            // the freed inode, leaves the folder's listing as it was).
            using (var mhLock = Lock())
            {
                _folder.Refresh(mhLock, _canWrite, forceScan: true);
            }

            var record = _folder.Index.Records.FirstOrDefault(r => r.Uid == uid);
            stream = record is null ? null : TryOpen(record);
            if (stream is null || record is null)
            {
                throw new StorageException(StorageError.NotFound, "Message has been expunged");
            }

            _files[uid] = record;
            file = record;
        }

        // _files holds exactly the view's messages (a search of the view per message made COPY quadratic).
        long size = file.Size >= 0 ? file.Size : _measuredSizes.GetValueOrDefault(uid, -1);
        if (size < 0)
        {
            size = LfToCrlfStream.MeasureCrlf(stream);
            stream.Position = 0;
            NoteSize(uid, size);
        }

        return new LfToCrlfStream(stream, size);
    }

    /// <summary>Beside the index: <c>.imap4d/cache</c>.</summary>
    /// <summary>The folder (message files, .mh_sequences) and our index in its state directory (keywords).</summary>
    public IReadOnlyList<ChangeSource> ChangeSources => [new(_folder.Path), ChangeSource.ForFile(_folder.IndexPath)];

    /// <summary>
    /// The file's content fingerprint, size on disk and date (see <see cref="MhFolder.ContentFingerprintOf"/>):
    /// no CRLF size needed, so a FETCH from the cache does not count one.
    /// </summary>
    public ulong CacheFingerprint(MessageInfo message) =>
        _files.TryGetValue(message.Uid, out var record) && MhFolder.ContentFingerprintOf(record) is ulong content
            ? FetchCache.Mix(content, FetchCache.Mix((ulong)record.Length, (ulong)record.InternalDate.ToUnixTimeMilliseconds()))
            : FetchCache.FingerprintOf(message);

    public string? FetchCacheFile => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_folder.IndexPath)!, "cache");

    /// <summary>
    /// Store, Expunge and Append write through; only sizes counted since the last save are pending:
    /// they go into the index so no later session reads those files whole again.
    /// </summary>
    public void Checkpoint()
    {
        if (_unsavedSizes == 0 || !_canWrite)
        {
            return;
        }

        using var mhLock = Lock();
        _folder.Refresh(mhLock, _canWrite);
        var records = _folder.Index.Records;
        bool changed = false;
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            // Only where the index still names the very file this session measured.
            if (record.Size < 0 && _measuredSizes.TryGetValue(record.Uid, out long size)
                && _files.TryGetValue(record.Uid, out var mine) && mine.Key == record.Key && MhFolder.InodeOf(mine) == MhFolder.InodeOf(record))
            {
                records[i] = record with { Size = size };
                changed = true;
            }
        }

        _unsavedSizes = 0;
        if (changed)
        {
            _folder.Save(_canWrite);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _release, null) is { } release)
        {
            release(_folder);
        }

        try
        {
            Checkpoint();
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            // Only counted sizes are lost; the next session counts them again.
        }
    }

    /// <summary>
    /// The message as listed. A size not counted yet (a file another program put in the folder:
    /// counting its CRLF size means reading it whole) is counted when a client first asks for it,
    /// so the first SELECT of a folder reads no message file whole.
    /// </summary>
    private MessageInfo ToInfo(IndexRecord record) =>
        record.Size >= 0
            ? new(record.Uid, record.Flags, record.InternalDate, record.Size, record.ModSeq)
            : new(record.Uid, record.Flags, record.InternalDate, () => SizeOf(record.Uid), record.ModSeq);

    /// <summary>The CRLF size of a message whose record does not know it yet (reads the file once per session at most).</summary>
    private long SizeOf(uint uid)
    {
        if (_measuredSizes.TryGetValue(uid, out long known))
        {
            return known;
        }

        if (_files.TryGetValue(uid, out var record) && record.Size >= 0)
        {
            return record.Size;
        }

        try
        {
            using var content = OpenContent(uid);
            return content.Length;
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            return record?.Length ?? 0;
        }
    }

    private void NoteSize(uint uid, long size)
    {
        _measuredSizes[uid] = size;
        _unsavedSizes++;
    }

    private static Dictionary<uint, int> PositionsByUid(MailboxIndex index)
    {
        var position = new Dictionary<uint, int>(index.Records.Count);
        for (int i = 0; i < index.Records.Count; i++)
        {
            position[index.Records[i].Uid] = i;
        }

        return position;
    }

    /// <summary>Opens the file of <paramref name="record"/>; null when that number no longer holds its data.</summary>
    private FileStream? TryOpen(IndexRecord record)
    {
        try
        {
            var stream = new FileStream(_folder.MessagePath(record.Key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
            if (MhFolder.HoldsRecordData(stream, record))
            {
                return stream;
            }

            stream.Dispose();
            return null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private MhLock Lock() => MhLock.Acquire(_folder.Path, _canWrite);

    private void ThrowIfReadOnly()
    {
        if (ReadOnly)
        {
            throw new StorageException(StorageError.NotPossible, "Mailbox is read-only");
        }
    }

    /// <summary>The number after the highest message of the folder's index (1 in an empty folder).</summary>
    private static int NextMessageNumber(MailboxIndex index) =>
        index.Records.Count == 0 ? 1 : index.Records.Max(r => int.Parse(r.Key)) + 1;

    /// <summary>Takes back the message files a failed APPEND or COPY linked, and the UIDs it took.</summary>
    private void UndoLinks(List<int> linked, MailboxIndex index, uint uidNextBefore)
    {
        foreach (int taken in linked)
        {
            Syscall.unlink(_folder.MessagePath(taken.ToString()));
        }

        index.UidNext = uidNextBefore;
    }
}
