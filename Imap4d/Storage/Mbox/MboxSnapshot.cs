using System.Collections.Immutable;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// A fixed view of an <see cref="MboxIndex"/>'s records (see <see cref="MboxIndex.Snapshot"/>):
/// either a plain array of records or their file form (<see cref="MboxRecordLayout"/>), from which
/// a record is made only when asked for and single fields are read without making one.
/// </summary>
internal readonly struct MboxSnapshot : IUidSequence
{
    private const int RecordSize = MboxRecordLayout.Size;

    private readonly MboxRecord[]? _records;
    private readonly byte[]? _bytes;
    private readonly KeywordSets _keywords;

    public MboxSnapshot(MboxRecord[] records, int count, bool mayHaveKeywords = true)
    {
        _records = records;
        _keywords = KeywordSets.None;
        Count = count;
        MayHaveKeywords = mayHaveKeywords;
    }

    public MboxSnapshot(byte[] bytes, KeywordSets keywords, int count, bool mayHaveKeywords)
    {
        _bytes = bytes;
        _keywords = keywords;
        Count = count;
        MayHaveKeywords = mayHaveKeywords;
    }

    public static MboxSnapshot Empty { get; } = new([], 0, false);

    public int Count { get; }

    public bool MayHaveKeywords { get; }

    /// <summary>What the records are kept in; the same object for snapshots that differ only by records added at the end.</summary>
    public object? Storage => (object?)_bytes ?? _records;

    private ReadOnlySpan<byte> Bytes(int index) => _bytes.AsSpan(index * RecordSize, RecordSize);

    /// <summary>The record at <paramref name="index"/> (below <see cref="Count"/>; the caller checks).</summary>
    public MboxRecord this[int index] => _bytes is not null ? MboxRecordLayout.Decode(Bytes(index), _keywords) : _records![index];

    public uint UidAt(int index) => _bytes is not null ? MboxRecordLayout.Uid(Bytes(index)) : _records![index].Uid;

    public ulong ModSeqAt(int index) => _bytes is not null ? MboxRecordLayout.ModSeq(Bytes(index)) : _records![index].ModSeq;

    public MessageFlags SystemFlagsAt(int index) =>
        _bytes is not null ? MboxRecordLayout.SystemFlags(Bytes(index)) : _records![index].Flags.System;

    public ImmutableSortedSet<string> KeywordsAt(int index)
    {
        if (_bytes is null)
        {
            return _records![index].Flags.Keywords;
        }

        ulong bitmap = MboxRecordLayout.KeywordBitmap(Bytes(index));
        return bitmap == 0 ? FlagSet.Empty.Keywords : _keywords.Of(bitmap);
    }

    /// <summary>True when the message at <paramref name="index"/> has the same flags as <paramref name="other"/>'s at <paramref name="otherIndex"/>.</summary>
    public bool SameFlags(int index, MboxSnapshot other, int otherIndex)
    {
        if (_bytes is not null && other._bytes is not null && (_keywords.IsPrefixOf(other._keywords) || other._keywords.IsPrefixOf(_keywords)))
        {
            // Bits mean the same names in both: compare the bytes.
            var a = Bytes(index);
            var b = other.Bytes(otherIndex);
            return MboxRecordLayout.SystemFlags(a) == MboxRecordLayout.SystemFlags(b)
                   && MboxRecordLayout.KeywordBitmap(a) == MboxRecordLayout.KeywordBitmap(b);
        }

        return SystemFlagsAt(index) == other.SystemFlagsAt(otherIndex)
               && new FlagSet(MessageFlags.None, KeywordsAt(index)).Equals(new FlagSet(MessageFlags.None, other.KeywordsAt(otherIndex)));
    }

    /// <summary>The position of <paramref name="uid"/> (ascending UIDs), or -1.</summary>
    public int IndexOfUid(uint uid) => UidSequence.IndexOf(this, Count, uid);
}
