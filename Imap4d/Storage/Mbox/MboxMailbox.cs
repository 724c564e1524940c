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
internal sealed class MboxMailbox : IMailbox
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly MboxState _state;
    private readonly HashSet<uint> _recent = [];
    private List<MessageInfo> _view = [];
    private long _viewGeneration = -1;
    private uint _lastUid;
    private byte[]? _lastContent;
    private FileStream? _lastSpool;
    private bool _disposed;

    public MboxMailbox(MboxState state, string name, bool readOnly)
    {
        _state = state;
        Name = name;
        ReadOnly = readOnly;
        Sync();
    }

    public string Name { get; }

    public uint UidValidity { get; private set; }

    public uint UidNext { get; private set; }

    public bool ReadOnly { get; }

    public bool SupportsKeywords => true;

    public IReadOnlyList<MessageInfo> Messages => _view;

    public IReadOnlySet<uint> RecentUids => _recent;

    public IReadOnlyCollection<string> Keywords =>
        _view.SelectMany(m => m.Flags.Keywords).Distinct(FlagSet.KeywordComparer).ToList();

    internal MboxState State => _state;

    public MailboxChanges Sync()
    {
        if (_viewGeneration == _state.Generation && _state.UnchangedSinceRefresh())
        {
            // Nothing changed on disk: no lock, so many idle or reading sessions do not queue
            // behind each other's polls.
            return MailboxChanges.None;
        }

        using (var held = _state.Lock())
        {
            _state.Refresh(held, save: false);
            _state.EnsureValidity();
            if (!ReadOnly && _state.Index.RecentBoundary < _state.Index.UidNext - 1)
            {
                foreach (var record in _state.Index.Records)
                {
                    if (record.Uid > _state.Index.RecentBoundary)
                    {
                        _recent.Add(record.Uid);
                    }
                }

                _state.Index.RecentBoundary = _state.Index.UidNext - 1;
                _state.MarkChanged();
                _state.SaveIndex();
            }
            else
            {
                _state.SaveIfDirty();
                if (ReadOnly)
                {
                    // EXAMINE reports what is recent without claiming it (RFC 3501 §6.3.2).
                    foreach (var record in _state.Index.Records)
                    {
                        if (record.Uid > _state.Index.RecentBoundary)
                        {
                            _recent.Add(record.Uid);
                        }
                    }
                }
            }
        }

        UidValidity = _state.Index.UidValidity;
        UidNext = _state.Index.UidNext;
        if (_viewGeneration == _state.Generation)
        {
            return MailboxChanges.None;
        }

        ForgetLastContent(); // the mailbox changed: read afresh (an expunged UID is then not found)

        var current = _state.Index.Records;
        var expunged = new List<uint>();
        var added = new List<uint>();
        var changed = new List<uint>();
        var next = new List<MessageInfo>(current.Count);
        int i = 0;
        int j = 0;
        while (i < _view.Count || j < current.Count)
        {
            if (j >= current.Count || (i < _view.Count && _view[i].Uid < current[j].Uid))
            {
                expunged.Add(_view[i++].Uid);
            }
            else if (i >= _view.Count || current[j].Uid < _view[i].Uid)
            {
                next.Add(InfoOf(current[j]));
                added.Add(current[j++].Uid);
            }
            else
            {
                var old = _view[i++];
                var record = current[j++];
                if (old.Flags.Equals(record.Flags) && old.ModSeq == record.ModSeq)
                {
                    next.Add(old);
                }
                else
                {
                    next.Add(InfoOf(record));
                    if (!old.Flags.Equals(record.Flags))
                    {
                        changed.Add(record.Uid);
                    }
                }
            }
        }

        _recent.ExceptWith(expunged);
        _view = next;
        _viewGeneration = _state.Generation;
        return expunged.Count + added.Count + changed.Count == 0 ? MailboxChanges.None : new MailboxChanges(expunged, added, changed);
    }

    private static MessageInfo InfoOf(IndexRecord r) => new(r.Uid, r.Flags, r.InternalDate, r.Size, r.ModSeq);

    public uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate)
    {
        ThrowIfDisposed();
        using var draft = MboxDraft.Prepare(content); // before the lock, and in bounded memory
        using var held = _state.Lock();
        _state.Refresh(held, save: false);
        _state.EnsureValidity();
        return _state.Append(held, draft, flags, internalDate);
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
            return _state.AppendBatch(held, batch);
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

    public IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags)
    {
        ThrowIfReadOnly();
        var changed = new List<MessageInfo>();
        var inView = new HashSet<uint>(_view.Select(m => m.Uid));
        using (var held = _state.Lock())
        {
            _state.Refresh(held, save: false);
            var index = _state.Index;
            foreach (uint uid in uids.Order())
            {
                int at = _state.FindRecord(uid);
                if (at < 0 || !inView.Contains(uid))
                {
                    continue;
                }

                var record = index.Records[at];
                var newFlags = record.Flags.Apply(operation, flags);
                if (newFlags.Equals(record.Flags))
                {
                    continue;
                }

                var layout = MboxRecordLayout.Require(record);
                record = layout.With(record with { Flags = newFlags, ModSeq = ++index.HighestModSeq }, layout.Bits | MboxRecordLayout.Dirty);
                index.Records[at] = record;
                changed.Add(InfoOf(record));
            }

            if (changed.Count > 0)
            {
                _state.MarkChanged();
                _state.SaveIndex();
            }
        }

        if (changed.Count > 0)
        {
            var byUid = changed.ToDictionary(m => m.Uid);
            _view = _view.Select(m => byUid.GetValueOrDefault(m.Uid, m)).ToList();
            _viewGeneration = -1; // others' changes may be pending: let Sync compare
        }

        return changed;
    }

    public IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null)
    {
        ThrowIfReadOnly();
        List<uint> gone;
        using (var held = _state.Lock())
        {
            _state.Refresh(held, save: false);
            var only = onlyUids as IReadOnlySet<uint> ?? onlyUids?.ToHashSet();
            gone = _view
                .Where(m => only is null || only.Contains(m.Uid))
                .Select(m => _state.FindRecord(m.Uid))
                .Where(at => at >= 0 && _state.Index.Records[at].Flags.Has(MessageFlags.Deleted))
                .Select(at => _state.Index.Records[at].Uid)
                .ToList();
            if (gone.Count == 0)
            {
                return [];
            }

            _state.Rewrite(held, gone.ToHashSet());
        }

        ForgetLastContent();
        var removed = gone.ToHashSet();
        _view = _view.Where(m => !removed.Contains(m.Uid)).ToList();
        _recent.ExceptWith(gone);
        _viewGeneration = -1;
        return gone;
    }

    public IReadOnlyList<(uint Source, uint Target)> CopyTo(IReadOnlyCollection<uint> uids, IMailbox target)
    {
        var byUid = _view.ToDictionary(m => m.Uid);
        var copied = uids.Distinct().Order().Where(byUid.ContainsKey).Select(uid => byUid[uid]).ToList();
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

        return _state.SpoolClientView(held, _state.Index.Records[at]);
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

        return _state.ReadClientView(held, _state.Index.Records[at], headerOnly);
    }

    /// <summary>Beside the index: <c>.imap4d/NAME.cache</c>.</summary>
    public string? FetchCacheFile => _state.Persistent ? System.IO.Path.ChangeExtension(_state.IndexPath, ".cache") : null;

    public void Checkpoint()
    {
        ThrowIfDisposed();
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
            _state.CloseReader();
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
