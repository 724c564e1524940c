using Imap4d.Storage.Index;
using NLog;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// An open mbox. The view (<see cref="Messages"/>) changes only in <see cref="Sync"/>, <see cref="Store"/>
/// and <see cref="Expunge"/>. Every operation takes the mailbox lock, refreshes the index from
/// disk (a stat or two when nothing changed) and releases the lock before returning.
/// <para>Flags: STORE changes the index and saves it at once, under the lock; the index is the
/// shared truth between imap4d sessions while the mbox file is unchanged, so another session's
/// next <see cref="Sync"/> sees the change without any rewrite of the mbox. The flags reach the
/// mbox's Status/X-Status/X-Keywords headers (for other programs) at <see cref="Checkpoint"/>,
/// <see cref="Expunge"/> and <see cref="Dispose"/>.</para>
/// </summary>
internal sealed partial class MboxMailbox : IMailbox
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly MboxState _state;
    private readonly HashSet<uint> _recent = [];
    private MboxMessageList _view = MboxMessageList.Empty;
    private long _viewGeneration = -1;

    /// <summary>Keywords of <see cref="_view"/>, worked out when first asked for.</summary>
    private HashSet<string>? _viewKeywords;
    private uint _lastUid;
    private byte[]? _lastContent;
    private FileStream? _lastSpool;
    private bool _disposed;

    private readonly bool _forAppend;
    private bool _opened;

    /// <param name="forAppend">Opened only to append (APPEND to another mailbox than the selected one): no view is made.</param>
    public MboxMailbox(MboxState state, string name, bool readOnly, bool forAppend = false)
    {
        _state = state;
        Name = name;
        ReadOnly = readOnly;
        _forAppend = forAppend;
        if (!forAppend)
        {
            Sync();
        }
    }

    public string Name { get; }

    public uint UidValidity { get; private set; }

    public uint UidNext { get; private set; }

    public bool ReadOnly { get; }

    public bool SupportsKeywords => true;

    public IReadOnlyList<MessageInfo> Messages => _view;

    public ulong HighestModSeq { get; private set; }

    public bool PersistentModSeq => _state.Persistent;

    public ModSeq.UidSet? VanishedSince(ulong modSeq) => _state.Vanished.Since(UidValidity, modSeq);

    public IReadOnlySet<uint> RecentUids => _recent;

    /// <summary>RFC 8514: kept in the index (see <see cref="MboxRecord.SaveDate"/>).</summary>
    public bool SupportsSaveDate => true;

    public DateTimeOffset? SaveDate(uint uid)
    {
        int at = _view.IndexOfUid(uid);
        return at < 0 ? null : DateTimeOffset.FromUnixTimeSeconds(_view.Record(at).SaveDate);
    }

    public IReadOnlyCollection<string> Keywords => _viewKeywords ??= KeywordsOf(_view.Snapshot, 0);

    private static HashSet<string> KeywordsOf(MboxSnapshot snapshot, int from, HashSet<string>? into = null)
    {
        into ??= new HashSet<string>(FlagSet.KeywordComparer);
        for (int i = snapshot.MayHaveKeywords ? from : snapshot.Count; i < snapshot.Count; i++)
        {
            var keywords = snapshot.KeywordsAt(i);
            if (keywords.Count > 0)
            {
                into.UnionWith(keywords);
            }
        }

        return into;
    }

    internal MboxState State => _state;

    public MailboxChanges Sync()
    {
        // Nothing changed on disk (a stat or two), or a first look finds the index file current:
        // no lock, so many idle or reading sessions do not queue behind each other's polls.
        bool fresh = _state.UnchangedSinceRefresh() || _state.TryLoadUnlocked();
        if (fresh && _viewGeneration == _state.Generation)
        {
            return MailboxChanges.None;
        }

        if (!fresh || (!ReadOnly && _state.Index.RecentBoundary < _state.Index.UidNext - 1))
        {
            using var held = _state.Lock();
            _state.Refresh(held, save: false);
            _state.EnsureValidity();
            if (!ClaimRecent())
            {
                _state.SaveIfDirty();
            }
        }

        if (ReadOnly)
        {
            // EXAMINE reports what is recent without claiming it (RFC 3501 §6.3.2).
            var index = _state.Index;
            for (int r = index.FirstAbove(index.RecentBoundary); r < index.Count; r++)
            {
                _recent.Add(index.UidAt(r));
            }
        }

        UidValidity = _state.Index.UidValidity;
        UidNext = _state.Index.UidNext;
        if (_viewGeneration == _state.Generation)
        {
            return MailboxChanges.None;
        }

        ForgetLastContent(); // the mailbox changed: read afresh (an expunged UID is then not found)

        var current = _state.Index.Snapshot();
        var before = _view.Snapshot;
        var added = new List<uint>();
        if (!_opened)
        {
            // The first view (SELECT): nothing to compare it with, nobody to tell.
            _opened = true;
            _view = new MboxMessageList(current);
            _viewGeneration = _state.Generation;
            HighestModSeq = _state.Index.HighestModSeq;
            return MailboxChanges.None;
        }

        if (ReferenceEquals(current.Storage, before.Storage) && current.Count >= before.Count)
        {
            // Same array, only longer: nothing but appended messages (see MboxIndex.Snapshot).
            for (int k = before.Count; k < current.Count; k++)
            {
                added.Add(current.UidAt(k));
            }

            if (_viewKeywords is not null)
            {
                KeywordsOf(current, before.Count, _viewKeywords);
            }

            _view = new MboxMessageList(current);
            _viewGeneration = _state.Generation;
            HighestModSeq = _state.Index.HighestModSeq;
            return added.Count == 0 ? MailboxChanges.None : new MailboxChanges([], added, []);
        }

        var expunged = new List<uint>();
        var changed = new List<uint>();
        int i = 0;
        int j = 0;
        while (i < before.Count || j < current.Count)
        {
            if (j >= current.Count || (i < before.Count && before.UidAt(i) < current.UidAt(j)))
            {
                expunged.Add(before.UidAt(i++));
            }
            else if (i >= before.Count || current.UidAt(j) < before.UidAt(i))
            {
                added.Add(current.UidAt(j++));
            }
            else
            {
                if (!before.SameFlags(i, current, j))
                {
                    changed.Add(current.UidAt(j));
                }

                i++;
                j++;
            }
        }

        _recent.ExceptWith(expunged);
        _view = new MboxMessageList(current);
        _viewKeywords = null;
        _viewGeneration = _state.Generation;
        HighestModSeq = _state.Index.HighestModSeq;
        return expunged.Count + added.Count + changed.Count == 0 ? MailboxChanges.None : new MailboxChanges(expunged, added, changed);
    }

    /// <summary>
    /// Under the lock, for a read-write session: messages no session has seen yet become this
    /// session's \Recent ones, and the index says so at once. False when there were none.
    /// </summary>
    private bool ClaimRecent()
    {
        var index = _state.Index;
        if (ReadOnly || index.RecentBoundary >= index.UidNext - 1)
        {
            return false;
        }

        for (int r = index.FirstAbove(index.RecentBoundary); r < index.Count; r++)
        {
            _recent.Add(index.UidAt(r));
        }

        index.RecentBoundary = index.UidNext - 1;
        _state.MarkChanged();
        _state.SaveIndex();
        return true;
    }

    public uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate)
    {
        ThrowIfDisposed();
        using var draft = MboxDraft.Prepare(content); // before the lock, and in bounded memory
        using var held = _state.Lock();
        _state.Refresh(held, save: false);
        _state.EnsureValidity();
        uint uid = _state.Append(held, draft, flags, internalDate);
        AfterAppend();
        return uid;
    }

    /// <summary>
    /// The selected mailbox takes its own new messages as \Recent in the same lock (its next poll
    /// would, and no other session can claim them first); an append-only object leaves them to
    /// whoever selects the mailbox next.
    /// </summary>
    private void AfterAppend()
    {
        if (!_forAppend)
        {
            ClaimRecent();
        }

        _state.SaveIfDirty();
        UidValidity = _state.Index.UidValidity;
        UidNext = _state.Index.UidNext;
    }

    /// <summary>
    /// Many messages under one lock and one fsync per batch (COPY into an mbox). The drafts of a
    /// batch are prepared before locking, like <see cref="Append"/>'s, and a batch is bounded in
    /// count and bytes so that memory stays bounded whatever is copied.
    /// </summary>
    public IReadOnlyList<uint> AppendMany(IEnumerable<AppendItem> messages)
    {
        ThrowIfDisposed();
        var uids = new List<uint>();
        var batch = new List<(MboxDraft Draft, FlagSet Flags, DateTimeOffset InternalDate)>();
        long bytes = 0;
        try
        {
            foreach (var message in messages)
            {
                MboxDraft draft;
                using (var content = message.Open())
                {
                    draft = MboxDraft.Prepare(content);
                }

                batch.Add((draft, message.Flags, message.InternalDate));
                bytes += Math.Min(draft.HeaderLength + draft.BodyLength, MboxDraft.MemoryLimit);
                if (batch.Count >= MaxBatchMessages || bytes >= MaxBatchMemory)
                {
                    uids.AddRange(WriteBatch(batch));
                    bytes = 0;
                }
            }

            if (batch.Count > 0)
            {
                uids.AddRange(WriteBatch(batch));
            }
        }
        finally
        {
            foreach (var item in batch)
            {
                item.Draft.Dispose();
            }
        }

        return uids;
    }

    private const int MaxBatchMessages = 1000;
    private const long MaxBatchMemory = 32L << 20;

    private IReadOnlyList<uint> WriteBatch(List<(MboxDraft Draft, FlagSet Flags, DateTimeOffset InternalDate)> batch)
    {
        try
        {
            using var held = _state.Lock();
            _state.Refresh(held, save: false);
            _state.EnsureValidity();
            var uids = _state.AppendBatch(held, batch);
            AfterAppend();
            return uids;
        }
        finally
        {
            foreach (var item in batch)
            {
                item.Draft.Dispose();
            }

            batch.Clear();
        }
    }

    public IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags,
        StoreCondition? condition = null)
    {
        ThrowIfReadOnly();
        var changed = new List<MboxRecord>(uids.Count);
        using (var held = _state.Lock())
        {
            _state.Refresh(held, save: false);
            bool viewWasCurrent = _viewGeneration == _state.Generation;
            var index = _state.Index;
            int viewNext = 0;
            int indexNext = 0;
            IEnumerable<uint> ordered = uids is IReadOnlyList<uint> list && UidSequence.IsStrictlyAscending(list) ? list : uids.Order();
            foreach (uint uid in ordered)
            {
                // UIDs in order (1:* above all): each is most often right after the last one found.
                int inView = viewNext < _view.Count && _view.UidAt(viewNext) == uid ? viewNext : _view.IndexOfUid(uid);
                if (inView < 0)
                {
                    continue;
                }

                viewNext = inView + 1;
                int at = indexNext < index.Count && index.UidAt(indexNext) == uid ? indexNext : index.Find(uid);
                if (at < 0)
                {
                    continue;
                }

                indexNext = at + 1;

                var record = index[at];
                if (condition is not null && !condition.Allows(uid, record.ModSeq))
                {
                    continue;
                }

                var newFlags = record.Flags.Apply(operation, flags);
                if (newFlags.Equals(record.Flags))
                {
                    continue;
                }

                record = record with
                {
                    Flags = newFlags,
                    ModSeq = ++index.HighestModSeq,
                    Bits = record.Bits | MboxRecord.Dirty | MboxRecord.FlagsChanged,
                };
                index.Set(at, record);
                changed.Add(record);
            }

            if (changed.Count == 0)
            {
                return [];
            }

            _state.MarkChanged();
            _state.SaveIndex();
            if (!_state.IndexSaved)
            {
                // No index file can hold these flags (too many keywords): into the mbox at once.
                _state.Rewrite(held, null);
                viewWasCurrent = false;
            }

            HighestModSeq = Math.Max(HighestModSeq, changed[^1].ModSeq);
            if (viewWasCurrent)
            {
                // Nobody else changed anything since the view was made: the index is the view plus this STORE.
                _view = new MboxMessageList(_state.Index.Snapshot());
                _viewGeneration = _state.Generation;
                HighestModSeq = _state.Index.HighestModSeq;
            }
            else
            {
                _view = WithRecords(_view, changed);
                _viewGeneration = -1; // others' changes may be pending: let Sync compare
            }
        }

        if (flags.Keywords.Count > 0 || operation == FlagOperation.Replace)
        {
            _viewKeywords = null;
        }

        return changed.Select(r => r.ToInfo()).ToList();
    }

    /// <summary>A copy of <paramref name="view"/> with <paramref name="changed"/> in place of the records of the same UIDs.</summary>
    private static MboxMessageList WithRecords(MboxMessageList view, List<MboxRecord> changed)
    {
        var records = new MboxRecord[view.Count];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = view.Record(i);
        }

        foreach (var record in changed)
        {
            int at = view.IndexOfUid(record.Uid);
            if (at >= 0)
            {
                records[at] = record;
            }
        }

        return new MboxMessageList(new MboxSnapshot(records, records.Length));
    }

    public IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null)
    {
        ThrowIfReadOnly();
        var gone = new List<uint>();
        using (var held = _state.Lock())
        {
            _state.Refresh(held, save: false);
            var only = onlyUids as IReadOnlySet<uint> ?? onlyUids?.ToHashSet();
            var index = _state.Index;
            for (int i = 0; i < _view.Count; i++)
            {
                uint uid = _view.UidAt(i);
                int at = only is null || only.Contains(uid) ? index.Find(uid) : -1;
                if (at >= 0 && index[at].Flags.Has(MessageFlags.Deleted))
                {
                    gone.Add(uid);
                }
            }

            if (gone.Count == 0)
            {
                return [];
            }

            _state.Rewrite(held, gone.ToHashSet());
            HighestModSeq = Math.Max(HighestModSeq, _state.Index.HighestModSeq);
        }

        ForgetLastContent();
        var removed = gone.ToHashSet();
        var kept = new List<MboxRecord>(_view.Count);
        for (int i = 0; i < _view.Count; i++)
        {
            var record = _view.Record(i);
            if (!removed.Contains(record.Uid))
            {
                kept.Add(record);
            }
        }

        _view = new MboxMessageList(new MboxSnapshot([.. kept], kept.Count));
        _viewKeywords = null;
        _recent.ExceptWith(gone);
        _viewGeneration = -1;
        return gone;
    }

    public IReadOnlyList<(uint Source, uint Target)> CopyTo(IReadOnlyCollection<uint> uids, IMailbox target)
    {
        var view = _view;
        var copied = uids.Distinct().Order().Select(view.IndexOfUid).Where(at => at >= 0).Select(view.Record).ToList();
        var created = target.AppendMany(copied.Select(m => new AppendItem(() => OpenContent(m.Uid), m.Flags, m.InternalDate)));
        return copied.Zip(created, (m, uid) => (m.Uid, uid)).ToList();
    }

    public Stream OpenContent(uint uid)
    {
        // FETCH BODYSTRUCTURE BODY[], SEARCH of a multipart body: the same message is often
        // opened twice in a row. A UID's client view never changes, so the last one is kept.
        if (uid == _lastUid && _lastSpool is not null)
        {
            return new IO.FileWindowStream(_lastSpool.SafeFileHandle, 0, _lastSpool.Length);
        }

        if (_state.SizeOf(uid) > MboxState.LargeMessage)
        {
            ForgetLastContent();
            _lastSpool = Spool(uid);
            _lastUid = uid;
            return new IO.FileWindowStream(_lastSpool.SafeFileHandle, 0, _lastSpool.Length);
        }

        if (uid != _lastUid || _lastContent is null)
        {
            ForgetLastContent();
            _lastContent = Read(uid, headerOnly: false);
            _lastUid = uid;
        }

        return new MemoryStream(_lastContent, writable: false);
    }

    /// <summary>A large message goes to a spool file, so that memory stays bounded whatever its size.</summary>
    private FileStream Spool(uint uid)
    {
        ThrowIfDisposed();
        if (_state.TrySpoolClientViewUnlocked(uid) is { } fast)
        {
            return fast;
        }

        using var held = _state.Lock();
        _state.Refresh(held, save: false);
        int at = _state.FindRecord(uid);
        if (at < 0)
        {
            throw new StorageException(StorageError.NotFound, "Message no longer exists");
        }

        return _state.SpoolClientView(held, _state.Index[at]);
    }

    private void ForgetLastContent()
    {
        _lastContent = null;
        _lastSpool?.Dispose();
        _lastSpool = null;
    }

    /// <summary>Only the header is read from the file (the index knows where it ends).</summary>
    public Stream OpenHeader(uint uid) => new MemoryStream(Read(uid, headerOnly: true), writable: false);

    private byte[] Read(uint uid, bool headerOnly)
    {
        ThrowIfDisposed();
        if (_state.TryReadClientViewUnlocked(uid, headerOnly) is { } fast)
        {
            return fast;
        }

        using var held = _state.Lock();
        _state.Refresh(held, save: false);
        int at = _state.FindRecord(uid);
        if (at < 0)
        {
            throw new StorageException(StorageError.NotFound, "Message no longer exists");
        }

        return _state.ReadClientView(held, _state.Index[at], headerOnly);
    }

    /// <summary>Beside the index: <c>.imap4d/NAME.cache</c>.</summary>
    /// <summary>The mbox file, and the index, where another session's STORE shows without touching the mbox.</summary>
    public IReadOnlyList<ChangeSource> ChangeSources =>
        _state.Persistent ? [ChangeSource.ForFile(_state.MailboxPath), ChangeSource.ForFile(_state.IndexPath)] : [ChangeSource.ForFile(_state.MailboxPath)];

    public string? FetchCacheFile => _state.Persistent ? System.IO.Path.ChangeExtension(_state.IndexPath, ".cache") : null;

    public void Checkpoint()
    {
        ThrowIfDisposed();
        if (_forAppend || (_state.UnchangedSinceRefresh() && (ReadOnly || !_state.NeedsWriteBack)))
        {
            return; // every append saved the index; nothing here to write back
        }

        using var held = _state.Lock();
        _state.Refresh(held, save: true);
        if (!ReadOnly && _state.NeedsWriteBack)
        {
            _state.Rewrite(held, null);
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
            Log.Warn(e, "{0}: cannot write back on close: {1}", _state.MailboxPath, e.Detail ?? e.Message);
        }
        finally
        {
            _disposed = true;
            ForgetLastContent();
            _state.Close();
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
