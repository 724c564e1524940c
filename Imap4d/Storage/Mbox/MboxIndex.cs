using Imap4d.Storage.Index;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The index of one mbox in memory: UIDVALIDITY, UIDNEXT, the recent boundary, the highest
/// modification sequence, the stamp of the file it describes and one <see cref="MboxRecord"/>
/// per message in a plain array (ascending UIDs). A cache, rebuildable from the mbox; on disk
/// as <see cref="MboxIndexFile"/>.
/// <para>Snapshots (<see cref="Snapshot"/>) share the array: appending writes only past every
/// snapshot's end, and the first change in place after a snapshot copies the array, so a
/// snapshot never changes. The index also remembers what changed since it was last saved, so a
/// save writes only that (<see cref="MboxIndexFile.SaveChanges"/>).</para>
/// </summary>
internal sealed class MboxIndex
{
    private MboxRecord[] _records;
    private int _count;
    private bool _shared;
    private int _unseen;
    private int _dirty;
    private int _notOld;
    private HashSet<int>? _changed;

    /// <param name="shared">The array is shared (with other indexes or a cache): never written, copied before any change.</param>
    /// <param name="unseen">How many of the records lack \Seen, when known (an index file's header says).</param>
    /// <param name="mayHaveKeywords">False when none of the records has a keyword (an index file without keyword names).</param>
    /// <param name="counts">Unseen, dirty and not-old records, when known (an index file's header says); counted otherwise.</param>
    public MboxIndex(MboxRecord[]? records = null, int count = 0, bool shared = false, bool mayHaveKeywords = true,
        (int Unseen, int Dirty, int NotOld)? counts = null)
    {
        _records = records ?? [];
        _count = count;
        _shared = shared;
        MayHaveKeywords = mayHaveKeywords;
        if (counts is { } known)
        {
            (_unseen, _dirty, _notOld) = known;
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                Tally(_records[i], 1);
            }
        }

        SavedCount = count;
    }

    /// <summary>Records whose bookkeeping headers in the mbox lag behind (<see cref="MboxRecord.Dirty"/>).</summary>
    public int DirtyCount => _dirty;

    /// <summary>Records without <see cref="MboxRecord.Old"/> (no Status O in the mbox).</summary>
    public int NotOldCount => _notOld;

    private void Tally(in MboxRecord record, int sign)
    {
        if (!record.Flags.Has(MessageFlags.Seen))
        {
            _unseen += sign;
        }

        if (record.Has(MboxRecord.Dirty))
        {
            _dirty += sign;
        }

        if (!record.Has(MboxRecord.Old))
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

    public MboxRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            return _records[index];
        }
    }

    public MboxRecord Last => this[_count - 1];

    public int Unseen => _unseen;

    /// <summary>Messages above <see cref="RecentBoundary"/>.</summary>
    public int Recent => _count - FirstAbove(RecentBoundary);

    /// <summary>Records the file already holds; those past it are new since the last save.</summary>
    public int SavedCount { get; set; }

    /// <summary>Positions below <see cref="SavedCount"/> changed since the last save.</summary>
    public IReadOnlyCollection<int> Changed => (IReadOnlyCollection<int>?)_changed ?? [];

    /// <summary>Adds a record past the last one (an array shared with a cache is always full, so it is never written).</summary>
    public void Add(in MboxRecord record)
    {
        if (_count == _records.Length)
        {
            // A new array: snapshots keep the old one, whose first Count entries never change.
            Array.Resize(ref _records, Math.Max(16, _count * 2));
            _shared = false;
        }

        _records[_count++] = record;
        MayHaveKeywords |= record.Flags.Keywords.Count > 0;
        Tally(record, 1);
    }

    public void Set(int index, in MboxRecord record)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        if (_shared)
        {
            _records = (MboxRecord[])_records.Clone(); // snapshots keep theirs unchanged
            _shared = false;
        }

        Tally(_records[index], -1);
        Tally(record, 1);
        _records[index] = record;
        MayHaveKeywords |= record.Flags.Keywords.Count > 0;
        if (index < SavedCount)
        {
            (_changed ??= []).Add(index);
        }
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
        return new MboxSnapshot(_records, _count, MayHaveKeywords);
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
            ref readonly var r = ref _records[i];
            if (r.Has(MboxRecord.Dirty) || (r.Uid <= RecentBoundary && !r.Has(MboxRecord.Old)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The position of <paramref name="uid"/>, or -1.</summary>
    public int Find(uint uid) => MboxSnapshot.IndexOfUid(_records, _count, uid);

    /// <summary>The position of the first record with a UID above <paramref name="uid"/> (Count when none).</summary>
    public int FirstAbove(uint uid)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_records[mid].Uid <= uid)
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
            yield return _records[i];
        }
    }

    /// <summary>Every keyword in use, in first-use order.</summary>
    public List<string> KeywordsInUse()
    {
        var seen = new HashSet<string>(FlagSet.KeywordComparer);
        var names = new List<string>();
        for (int i = 0; i < _count; i++)
        {
            var keywords = _records[i].Flags.Keywords;
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

/// <summary>A fixed view of an <see cref="MboxIndex"/>'s records (see <see cref="MboxIndex.Snapshot"/>).</summary>
internal readonly record struct MboxSnapshot(MboxRecord[] Records, int Count, bool MayHaveKeywords = true)
{
    public static MboxSnapshot Empty { get; } = new([], 0, false);

    /// <summary>The position of <paramref name="uid"/> among the first <paramref name="count"/> records (ascending UIDs), or -1.</summary>
    public static int IndexOfUid(MboxRecord[] records, int count, uint uid)
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint at = records[mid].Uid;
            if (at == uid)
            {
                return mid;
            }

            if (at < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }
}
