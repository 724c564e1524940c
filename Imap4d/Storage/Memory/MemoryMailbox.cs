namespace Imap4d.Storage.Memory;

/// <summary>A mailbox held in memory, for command tests and as the reference for the driver contract.</summary>
internal sealed class MemoryMailbox : IMailbox
{
    private readonly MemoryMailboxData _data;
    private readonly HashSet<uint> _recent = [];
    private List<MessageInfo> _view = [];

    public MemoryMailbox(MemoryMailboxData data, string name, bool readOnly)
    {
        _data = data;
        Name = name;
        ReadOnly = readOnly;
        Sync();
    }

    public string Name { get; }

    public string? FetchCacheFile { get; init; }

    public uint UidValidity => _data.UidValidity;

    public uint UidNext { get; private set; }

    public bool ReadOnly { get; }

    public bool SupportsKeywords => true;

    public IReadOnlyList<MessageInfo> Messages => _view;

    public ulong HighestModSeq { get; private set; }

    public ModSeq.UidSet? VanishedSince(ulong modSeq)
    {
        lock (_data.Sync)
        {
            // The record starts at the first expunge; before it nothing had vanished.
            return _data.Vanished.Since(UidValidity, modSeq) ?? new ModSeq.UidSet();
        }
    }

    public IReadOnlySet<uint> RecentUids => _recent;

    public IReadOnlyCollection<string> Keywords =>
        _view.SelectMany(m => m.Flags.Keywords).Distinct(FlagSet.KeywordComparer).ToList();

    public MailboxChanges Sync()
    {
        lock (_data.Sync)
        {
            var current = _data.Messages.Values.Select(m => m.Info).ToList();
            var before = _view.ToDictionary(m => m.Uid);
            var now = current.ToDictionary(m => m.Uid);
            var expunged = _view.Where(m => !now.ContainsKey(m.Uid)).Select(m => m.Uid).ToList();
            var added = current.Where(m => !before.ContainsKey(m.Uid)).Select(m => m.Uid).ToList();
            var changed = current.Where(m => before.TryGetValue(m.Uid, out var old) && !old.Flags.Equals(m.Flags))
                .Select(m => m.Uid).ToList();
            if (!ReadOnly)
            {
                foreach (uint uid in added.Where(u => u > _data.RecentBoundary))
                {
                    _recent.Add(uid);
                }

                _data.RecentBoundary = Math.Max(_data.RecentBoundary, _data.UidNext - 1);
            }
            else
            {
                // EXAMINE reports what is recent without claiming it (RFC 3501 §6.3.2).
                _recent.UnionWith(added.Where(u => u > _data.RecentBoundary));
            }

            _recent.ExceptWith(expunged);
            _view = current;
            UidNext = _data.UidNext;
            HighestModSeq = _data.ModSeq;
            return new MailboxChanges(expunged, added, changed);
        }
    }

    /// <summary>MULTIAPPEND: every message is read before the first is stored, so a failing one leaves nothing.</summary>
    public IReadOnlyList<uint> AppendAll(IReadOnlyList<AppendItem> messages)
    {
        var contents = new List<byte[]>(messages.Count);
        foreach (var message in messages)
        {
            using var content = message.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            contents.Add(copy.ToArray());
        }

        return contents.Select((c, i) => Append(new MemoryStream(c), messages[i].Flags, messages[i].InternalDate)).ToList();
    }

    public uint Append(Stream content, FlagSet flags, DateTimeOffset internalDate)
    {
        byte[] bytes = LineEndings.ToCrlf(ReadAll(content));
        lock (_data.Sync)
        {
            uint uid = _data.UidNext++;
            _data.Messages[uid] = (new MessageInfo(uid, flags, internalDate, bytes.Length, ++_data.ModSeq), bytes);
            _data.SaveDates[uid] = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            return uid;
        }
    }

    public IReadOnlyList<MessageInfo> Store(IReadOnlyCollection<uint> uids, FlagOperation operation, FlagSet flags,
        StoreCondition? condition = null)
    {
        ThrowIfReadOnly();
        var changed = new List<MessageInfo>();
        lock (_data.Sync)
        {
            foreach (uint uid in uids.Order())
            {
                if (!_data.Messages.TryGetValue(uid, out var entry) || _view.All(m => m.Uid != uid))
                {
                    continue;
                }

                if (condition is not null && !condition.Allows(uid, entry.Info.ModSeq))
                {
                    continue;
                }

                var newFlags = entry.Info.Flags.Apply(operation, flags);
                if (newFlags.Equals(entry.Info.Flags))
                {
                    continue;
                }

                var info = entry.Info with { Flags = newFlags, ModSeq = ++_data.ModSeq };
                _data.Messages[uid] = (info, entry.Content);
                changed.Add(info);
            }

            var byUid = changed.ToDictionary(m => m.Uid);
            _view = _view.Select(m => byUid.GetValueOrDefault(m.Uid, m)).ToList();
            if (changed.Count > 0)
            {
                HighestModSeq = Math.Max(HighestModSeq, changed[^1].ModSeq);
            }
        }

        return changed;
    }

    public IReadOnlyList<uint> Expunge(IReadOnlyCollection<uint>? onlyUids = null)
    {
        ThrowIfReadOnly();
        lock (_data.Sync)
        {
            var gone = _view
                .Where(m => _data.Messages.TryGetValue(m.Uid, out var e) && e.Info.Flags.Has(MessageFlags.Deleted))
                .Where(m => onlyUids is null || onlyUids.Contains(m.Uid))
                .Select(m => m.Uid)
                .ToList();
            foreach (uint uid in gone)
            {
                _data.Messages.Remove(uid);
            }

            if (gone.Count > 0)
            {
                _data.Vanished.Record(UidValidity, ++_data.ModSeq, gone);
                HighestModSeq = Math.Max(HighestModSeq, _data.ModSeq);
            }

            _view = _view.Where(m => !gone.Contains(m.Uid)).ToList();
            _recent.ExceptWith(gone);
            return gone;
        }
    }

    public bool SupportsSaveDate => true;

    public DateTimeOffset? SaveDate(uint uid)
    {
        lock (_data.Sync)
        {
            return _data.SaveDates.TryGetValue(uid, out var date) ? date : null;
        }
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
        lock (_data.Sync)
        {
            return _data.Messages.TryGetValue(uid, out var entry)
                ? new MemoryStream(entry.Content, writable: false)
                : throw new StorageException(StorageError.NotFound, "No such message");
        }
    }

    public void Checkpoint()
    {
    }

    public void Dispose()
    {
    }

    private void ThrowIfReadOnly()
    {
        if (ReadOnly)
        {
            throw new StorageException(StorageError.NotPossible, "Mailbox is read-only");
        }
    }

    private static byte[] ReadAll(Stream content)
    {
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return buffer.ToArray();
    }
}
