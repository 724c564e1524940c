using Imap4d.Storage.Index;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The index of one mbox in memory: UIDVALIDITY, UIDNEXT, the recent boundary, the highest
/// modification sequence, the stamp of the file it describes and one <see cref="MboxRecord"/>
/// per message (ascending UIDs). A cache, rebuildable from the mbox; on disk as
/// <see cref="MboxIndexFile"/>.
/// <para>The records are kept in one of two forms: as read from the index file, its bytes
/// (<see cref="MboxRecordLayout"/>, 80 per message) with the keyword names that go with them, so
/// that opening a large mailbox decodes nothing and a record is made only when asked for; or as
/// a plain array of records (after a parse of the mbox, or when a change does not fit the
/// encoded form: more than 64 keywords).</para>
/// <para>Snapshots (<see cref="Snapshot"/>) share the storage: appending writes only past every
/// snapshot's end, and the first change in place after a snapshot copies it, so a snapshot never
/// changes. The index also remembers what changed since it was last saved, so a save writes only
/// that (<see cref="MboxIndexFile.SaveChanges"/>).</para>
/// </summary>
internal sealed class MboxIndex
{
    private const int RecordSize = MboxRecordLayout.Size;

    private MboxRecord[]? _records;
    private byte[]? _bytes;
    private KeywordSets _keywords = KeywordSets.None;
    private Dictionary<string, int>? _ids;
    private int _count;
    private bool _shared;
    private int _unseen;
    private int _dirty;
    private int _notOld;
    private HashSet<int>? _changed;

    /// <param name="shared">The array is shared (with other indexes or a cache): never written, copied before any change.</param>
    /// <param name="mayHaveKeywords">False when none of the records has a keyword (an index file without keyword names).</param>
    /// <param name="counts">Unseen, dirty and not-old records, when known (an index file's header says); counted otherwise.</param>
    public MboxIndex(MboxRecord[]? records = null, int count = 0, bool shared = false, bool mayHaveKeywords = true,
        (int Unseen, int Dirty, int NotOld)? counts = null)
    {
        _records = records ?? [];
        _count = count;
        _shared = shared;
        MayHaveKeywords = mayHaveKeywords;
        CountFlags(counts);
    }

    private MboxIndex(byte[] bytes, int count, KeywordSets keywords, (int Unseen, int Dirty, int NotOld)? counts)
    {
        _bytes = bytes;
        _keywords = keywords;
        _count = count;
        _shared = true;
        MayHaveKeywords = keywords.Names.Length > 0;
        CountFlags(counts);
    }

    /// <summary>
    /// An index over records in their file form (<paramref name="count"/> of them at the start of
    /// <paramref name="bytes"/>, every one checked), keyword bits meaning <paramref name="keywords"/>.
    /// The bytes are taken as shared: never written, copied before a change in place.
    /// </summary>
    public static MboxIndex FromEncoded(byte[] bytes, int count, KeywordSets keywords, (int Unseen, int Dirty, int NotOld)? counts) =>
        new(bytes, count, keywords, counts);

    private void CountFlags((int Unseen, int Dirty, int NotOld)? counts)
    {
        if (counts is { } known)
        {
            (_unseen, _dirty, _notOld) = known;
        }
        else
        {
            for (int i = 0; i < _count; i++)
            {
                var (system, bits) = FlagsAndBits(i);
                Tally(system, bits, 1);
            }
        }

        SavedCount = _count;
    }

    /// <summary>Records whose bookkeeping headers in the mbox lag behind (<see cref="MboxRecord.Dirty"/>).</summary>
    public int DirtyCount => _dirty;

    /// <summary>Records without <see cref="MboxRecord.Old"/> (no Status O in the mbox).</summary>
    public int NotOldCount => _notOld;

    private (MessageFlags System, int Bits) FlagsAndBits(int index)
    {
        if (_bytes is not null)
        {
            var b = _bytes.AsSpan(index * RecordSize, RecordSize);
            return (MboxRecordLayout.SystemFlags(b), MboxRecordLayout.Bits(b));
        }

        ref readonly var r = ref _records![index];
        return (r.Flags.System, r.Bits);
    }

    private void Tally(MessageFlags system, int bits, int sign)
    {
        if ((system & MessageFlags.Seen) == 0)
        {
            _unseen += sign;
        }

        if ((bits & MboxRecord.Dirty) != 0)
        {
            _dirty += sign;
        }

        if ((bits & MboxRecord.Old) == 0)
        {
            _notOld += sign;
        }
    }

    /// <summary>False only when no record has a keyword (so nobody need look).</summary>
    public bool MayHaveKeywords { get; private set; }

    public uint UidValidity { get; set; }

    public uint UidNext { get; set; } = 1;

    /// <summary>Messages with a UID above this have not been seen by any session (they are \Recent for the next one).</summary>
    public uint RecentBoundary { get; set; }

    public ulong HighestModSeq { get; set; } = 1;

    /// <summary>The mbox as it was when this index was last brought up to date.</summary>
    public SourceStamp Source { get; set; }

    public int Count => _count;

    /// <summary>True while the records are in their file form (see <see cref="EncodedRecords"/>).</summary>
    public bool IsEncoded => _bytes is not null;

    /// <summary>The records in their file form and the keyword names their bits stand for; only while <see cref="IsEncoded"/>.</summary>
    public (byte[] Bytes, KeywordSets Keywords) EncodedRecords =>
        _bytes is null ? throw new InvalidOperationException("records are not encoded") : (_bytes, _keywords);

    public MboxRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return _bytes is not null
                ? MboxRecordLayout.Decode(_bytes.AsSpan(index * RecordSize, RecordSize), _keywords)
                : _records![index];
        }
    }

    public uint UidAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _bytes is not null ? MboxRecordLayout.Uid(_bytes.AsSpan(index * RecordSize, RecordSize)) : _records![index].Uid;
    }

    public MboxRecord Last => this[_count - 1];

    /// <summary>The sum of the client sizes (STATUS SIZE), without making a record per message.</summary>
    public ulong TotalSize()
    {
        ulong total = 0;
        for (int i = 0; i < _count; i++)
        {
            total += (ulong)(_bytes is not null ? MboxRecordLayout.ClientSize(_bytes.AsSpan(i * RecordSize, RecordSize)) : _records![i].Size);
        }

        return total;
    }

    public int Unseen => _unseen;

    /// <summary>Messages above <see cref="RecentBoundary"/>.</summary>
    public int Recent => _count - FirstAbove(RecentBoundary);

    /// <summary>Records the file already holds; those past it are new since the last save.</summary>
    public int SavedCount { get; set; }

    /// <summary>Positions below <see cref="SavedCount"/> changed since the last save.</summary>
    public IReadOnlyCollection<int> Changed => (IReadOnlyCollection<int>?)_changed ?? [];

    /// <summary>Adds a record past the last one (storage shared with a cache is always full, so it is never written).</summary>
    public void Add(in MboxRecord record)
    {
        if (_bytes is not null && !FitsEncoded(record))
        {
            Decode();
        }

        if (_bytes is not null)
        {
            if ((_count + 1) * RecordSize > _bytes.Length)
            {
                // A new array: snapshots keep the old one, whose first Count records never change.
                var grown = GC.AllocateUninitializedArray<byte>(Math.Max(16, _count * 2) * RecordSize);
                _bytes.AsSpan(0, _count * RecordSize).CopyTo(grown);
                _bytes = grown;
                _shared = false;
            }

            MboxRecordLayout.Encode(record, _ids!, _bytes.AsSpan(_count * RecordSize, RecordSize));
            _count++;
        }
        else
        {
            if (_count == _records!.Length)
            {
                Array.Resize(ref _records, Math.Max(16, _count * 2));
                _shared = false;
            }

            _records[_count++] = record;
        }

        MayHaveKeywords |= record.Flags.Keywords.Count > 0;
        Tally(record.Flags.System, record.Bits, 1);
    }

    public void Set(int index, in MboxRecord record)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        if (_bytes is not null && !FitsEncoded(record))
        {
            Decode();
        }

        var (system, bits) = FlagsAndBits(index);
        Tally(system, bits, -1);
        Tally(record.Flags.System, record.Bits, 1);
        if (_bytes is not null)
        {
            if (_shared)
            {
                _bytes = _bytes.AsSpan(0, _count * RecordSize).ToArray(); // snapshots keep theirs unchanged
                _shared = false;
            }

            MboxRecordLayout.Encode(record, _ids!, _bytes.AsSpan(index * RecordSize, RecordSize));
        }
        else
        {
            if (_shared)
            {
                _records = (MboxRecord[])_records!.Clone(); // snapshots keep theirs unchanged
                _shared = false;
            }

            _records![index] = record;
        }

        MayHaveKeywords |= record.Flags.Keywords.Count > 0;
        if (index < SavedCount)
        {
            (_changed ??= []).Add(index);
        }
    }

    /// <summary>True when <paramref name="record"/> can be kept encoded (new keyword names are added, up to 64).</summary>
    private bool FitsEncoded(in MboxRecord record)
    {
        _ids ??= _keywords.Ids();
        var names = record.Flags.Keywords.Count > 0 ? new List<string>(_keywords.Names) : null;
        if (!MboxRecordLayout.Fits(record, _ids, names))
        {
            _ids = null; // may hold a name that went nowhere
            return false;
        }

        if (names is not null && names.Count > _keywords.Names.Length)
        {
            _keywords = _keywords.With(names.Skip(_keywords.Names.Length));
        }

        return true;
    }

    /// <summary>From the file form to a plain array of records (a change that the file form cannot hold).</summary>
    private void Decode()
    {
        var records = new MboxRecord[Math.Max(16, _count + _count / 8)];
        for (int i = 0; i < _count; i++)
        {
            records[i] = MboxRecordLayout.Decode(_bytes.AsSpan(i * RecordSize, RecordSize), _keywords);
        }

        _records = records;
        _bytes = null;
        _ids = null;
        _keywords = KeywordSets.None;
        _shared = false;
    }

    /// <summary>A new index with these header fields and <paramref name="records"/> (none of it saved yet).</summary>
    public MboxIndex WithRecords(MboxRecord[] records, int count) => new(records, count, mayHaveKeywords: MayHaveKeywords)
    {
        UidValidity = UidValidity,
        UidNext = UidNext,
        RecentBoundary = RecentBoundary,
        HighestModSeq = HighestModSeq,
        Source = Source,
        SavedCount = 0,
    };

    /// <summary>Forgets what changed: the file now holds all of it.</summary>
    public void MarkSaved()
    {
        SavedCount = _count;
        _changed = null;
    }

    /// <summary>The records as they are now; later changes of this index do not show in it.</summary>
    public MboxSnapshot Snapshot()
    {
        _shared = true;
        return _bytes is not null
            ? new MboxSnapshot(_bytes, _keywords, _count, MayHaveKeywords)
            : new MboxSnapshot(_records!, _count, MayHaveKeywords);
    }

    /// <summary>True when a record's bookkeeping headers in the mbox lag behind it (dirty), or a message no longer recent lacks Status O.</summary>
    public bool AnyNeedsWriteBack()
    {
        if (_dirty == 0 && _notOld == 0)
        {
            return false;
        }

        for (int i = 0; i < _count; i++)
        {
            int bits = FlagsAndBits(i).Bits;
            if ((bits & MboxRecord.Dirty) != 0 || (UidAt(i) <= RecentBoundary && (bits & MboxRecord.Old) == 0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The position of <paramref name="uid"/>, or -1.</summary>
    public int Find(uint uid)
    {
        int at = FirstAbove(uid) - 1;
        return at >= 0 && UidAt(at) == uid ? at : -1;
    }

    /// <summary>The position of the first record with a UID above <paramref name="uid"/> (Count when none).</summary>
    public int FirstAbove(uint uid)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (UidAt(mid) <= uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public IEnumerable<MboxRecord> Records()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    /// <summary>Every keyword in use, in first-use order.</summary>
    public List<string> KeywordsInUse()
    {
        var seen = new HashSet<string>(FlagSet.KeywordComparer);
        var names = new List<string>();
        if (_bytes is not null)
        {
            ulong used = 0;
            for (int i = 0; i < _count && MayHaveKeywords; i++)
            {
                ulong bitmap = MboxRecordLayout.KeywordBitmap(_bytes.AsSpan(i * RecordSize, RecordSize));
                for (ulong fresh = bitmap & ~used; fresh != 0; fresh &= fresh - 1)
                {
                    int k = System.Numerics.BitOperations.TrailingZeroCount(fresh);
                    if (seen.Add(_keywords.Names[k]))
                    {
                        names.Add(_keywords.Names[k]);
                    }
                }

                used |= bitmap;
            }

            return names;
        }

        for (int i = 0; i < _count; i++)
        {
            var keywords = _records![i].Flags.Keywords;
            if (keywords.Count == 0)
            {
                continue;
            }

            foreach (string keyword in keywords)
            {
                if (seen.Add(keyword))
                {
                    names.Add(keyword);
                }
            }
        }

        return names;
    }
}
