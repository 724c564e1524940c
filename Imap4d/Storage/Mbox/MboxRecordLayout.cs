using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Imap4d.Storage.Index;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The 80-byte form of an <see cref="MboxRecord"/>, the same in the index file and in memory
/// (<see cref="MboxSnapshot"/> reads records straight from the bytes of the file): UID, system
/// flags, state bits, the internal date's zone and date, the client size, the keyword bitmap
/// (bit k: the k-th name of the keyword list that goes with the bytes), MODSEQ, From line offset,
/// the lengths of the From line and the header, the content end, the save date, the length of the
/// tail to the next message, and a CRC-32C of the rest.
/// </summary>
internal static class MboxRecordLayout
{
    public const int Size = 80;
    public const int MaxKeywords = 64;

    private const int FlagsAt = 4;
    private const int BitsAt = 5;
    private const int ModSeqAt = 32;
    private const int KeywordsAt = 24;
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public static uint Uid(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32LittleEndian(b);

    public static MessageFlags SystemFlags(ReadOnlySpan<byte> b) => (MessageFlags)b[FlagsAt];

    public static int Bits(ReadOnlySpan<byte> b) => b[BitsAt];

    public static ulong KeywordBitmap(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt64LittleEndian(b[KeywordsAt..]);

    public static ulong ModSeq(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt64LittleEndian(b[ModSeqAt..]);

    public static long ClientSize(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64LittleEndian(b[16..]);

    /// <summary>
    /// True when <paramref name="record"/> can be written in this form: its offsets' differences fit
    /// and every keyword has a bit (<paramref name="ids"/> gives them; new ones are added up to
    /// <see cref="MaxKeywords"/>, in <paramref name="names"/> too).
    /// </summary>
    public static bool Fits(in MboxRecord record, Dictionary<string, int> ids, List<string>? names)
    {
        long tail = record.End - record.ContentEnd;
        long fromLine = record.HeaderOffset - record.Offset;
        long header = record.BodyOffset - record.HeaderOffset;
        if (tail is < 0 or > uint.MaxValue || fromLine is < 0 or > uint.MaxValue || header is < 0 or > uint.MaxValue)
        {
            return false;
        }

        if (record.Flags.Keywords.Count == 0)
        {
            return true; // an empty set's enumerator still costs (one per record)
        }

        foreach (string keyword in record.Flags.Keywords)
        {
            if (ids.ContainsKey(keyword))
            {
                continue;
            }

            if (names is null || names.Count >= MaxKeywords)
            {
                return false;
            }

            ids[keyword] = names.Count;
            names.Add(keyword);
        }

        return true;
    }

    /// <summary>Writes <paramref name="r"/> into <paramref name="b"/>; every keyword must have an id (see <see cref="Fits"/>).</summary>
    public static void Encode(in MboxRecord r, Dictionary<string, int> ids, Span<byte> b)
    {
        ulong keywords = 0;
        if (r.Flags.Keywords.Count > 0) // an empty set's enumerator still costs (one per record)
        {
            foreach (string keyword in r.Flags.Keywords)
            {
                keywords |= 1UL << ids[keyword];
            }
        }

        long tail = r.End - r.ContentEnd;
        long fromLine = r.HeaderOffset - r.Offset;
        long header = r.BodyOffset - r.HeaderOffset;
        if (tail is < 0 or > uint.MaxValue || fromLine is < 0 or > uint.MaxValue || header is < 0 or > uint.MaxValue)
        {
            throw new IOException($"message {r.Uid} does not fit an index record");
        }

        BinaryPrimitives.WriteUInt32LittleEndian(b, r.Uid);
        b[FlagsAt] = (byte)r.Flags.System;
        b[BitsAt] = (byte)r.Bits;
        BinaryPrimitives.WriteInt16LittleEndian(b[6..], (short)r.InternalDate.Offset.TotalMinutes);
        BinaryPrimitives.WriteInt64LittleEndian(b[8..], r.InternalDate.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(b[16..], r.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(b[KeywordsAt..], keywords);
        BinaryPrimitives.WriteUInt64LittleEndian(b[ModSeqAt..], r.ModSeq);
        BinaryPrimitives.WriteInt64LittleEndian(b[40..], r.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(b[48..], (uint)fromLine);
        BinaryPrimitives.WriteUInt32LittleEndian(b[52..], (uint)header);
        BinaryPrimitives.WriteInt64LittleEndian(b[56..], r.ContentEnd);
        BinaryPrimitives.WriteInt64LittleEndian(b[64..], r.SaveDate);
        BinaryPrimitives.WriteUInt32LittleEndian(b[72..], (uint)tail);
        BinaryPrimitives.WriteUInt32LittleEndian(b[76..], Checksum.Of(b[..76]));
    }

    /// <summary>
    /// True when <paramref name="b"/> is a record that checks out (CRC, flags, keyword bits within
    /// <paramref name="keywordCount"/> names, dates, offsets inside a file of <paramref name="fileSize"/>
    /// bytes): such a record is then decoded without checks (<see cref="Decode"/>).
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> b, int keywordCount, long fileSize) =>
        HasChecksum(b, Checksum.Of(b[..ChecksummedLength])) && FieldsAreValid(b, keywordCount, fileSize);

    /// <summary>How many bytes of a record its CRC-32C covers (all but the CRC itself).</summary>
    public const int ChecksummedLength = 76;

    /// <summary>True when the record's stored CRC is <paramref name="checksum"/> (<see cref="Checksum.Of"/> of its first <see cref="ChecksummedLength"/> bytes).</summary>
    public static bool HasChecksum(ReadOnlySpan<byte> b, uint checksum) => BinaryPrimitives.ReadUInt32LittleEndian(b[ChecksummedLength..]) == checksum;

    /// <summary><see cref="IsValid"/> but for the CRC, checked by the caller (four records at a time: <see cref="Checksum.OfFour"/>).</summary>
    public static bool FieldsAreValid(ReadOnlySpan<byte> b, int keywordCount, long fileSize)
    {
        ulong bitmap = KeywordBitmap(b);
        if ((b[FlagsAt] & ~31) != 0 || (keywordCount < 64 && bitmap >> keywordCount != 0) || (b[BitsAt] & ~MboxRecord.AllBits) != 0)
        {
            return false;
        }

        short zone = BinaryPrimitives.ReadInt16LittleEndian(b[6..]);
        long dateMs = BinaryPrimitives.ReadInt64LittleEndian(b[8..]);
        long localTicks = UnixEpochTicks + dateMs * TimeSpan.TicksPerMillisecond + zone * TimeSpan.TicksPerMinute;
        if (zone is < -14 * 60 or > 14 * 60 || dateMs is < -62135596800000L or > 253402300799999L
            || localTicks < 0 || localTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        long saved = BinaryPrimitives.ReadInt64LittleEndian(b[64..]);
        if (saved is < -62135596800L or > 253402300799L)
        {
            return false;
        }

        long offset = BinaryPrimitives.ReadInt64LittleEndian(b[40..]);
        long headerOffset = offset + BinaryPrimitives.ReadUInt32LittleEndian(b[48..]);
        long bodyOffset = headerOffset + BinaryPrimitives.ReadUInt32LittleEndian(b[52..]);
        long contentEnd = BinaryPrimitives.ReadInt64LittleEndian(b[56..]);
        long end = contentEnd + BinaryPrimitives.ReadUInt32LittleEndian(b[72..]);
        return Uid(b) != 0 && ClientSize(b) >= 0 && offset >= 0 && offset < headerOffset && bodyOffset <= contentEnd
               && contentEnd <= end && end <= fileSize;
    }

    /// <summary>The record in <paramref name="b"/>, which was checked (<see cref="IsValid"/>) or written by <see cref="Encode"/>.</summary>
    public static MboxRecord Decode(ReadOnlySpan<byte> b, KeywordSets keywords)
    {
        ulong bitmap = KeywordBitmap(b);
        var system = (MessageFlags)b[FlagsAt];
        var flags = bitmap == 0 ? FlagSet.Of(system) : new FlagSet(system, keywords.Of(bitmap));
        short zone = BinaryPrimitives.ReadInt16LittleEndian(b[6..]);
        long dateMs = BinaryPrimitives.ReadInt64LittleEndian(b[8..]);
        long localTicks = UnixEpochTicks + dateMs * TimeSpan.TicksPerMillisecond + zone * TimeSpan.TicksPerMinute;
        long offset = BinaryPrimitives.ReadInt64LittleEndian(b[40..]);
        long headerOffset = offset + BinaryPrimitives.ReadUInt32LittleEndian(b[48..]);
        long contentEnd = BinaryPrimitives.ReadInt64LittleEndian(b[56..]);
        return new MboxRecord(
            Uid(b),
            flags,
            new DateTimeOffset(localTicks, TimeSpan.FromMinutes(zone)),
            ClientSize(b),
            ModSeq(b),
            offset,
            headerOffset,
            headerOffset + BinaryPrimitives.ReadUInt32LittleEndian(b[52..]),
            contentEnd,
            contentEnd + BinaryPrimitives.ReadUInt32LittleEndian(b[72..]),
            b[BitsAt],
            BinaryPrimitives.ReadInt64LittleEndian(b[64..]));
    }
}

/// <summary>
/// The keyword names that go with some encoded records (bit k of a record's bitmap is name k)
/// and the sets made of their bitmaps, each made once. Names are only ever added at the end, so
/// records encoded with fewer names read the same; safe for the sessions of a process to share.
/// </summary>
internal sealed class KeywordSets
{
    private readonly ConcurrentDictionary<ulong, ImmutableSortedSet<string>> _sets = new();

    public KeywordSets(string[] names)
    {
        Names = names;
    }

    public static KeywordSets None { get; } = new([]);

    public string[] Names { get; }

    /// <summary>These names and <paramref name="more"/> after them; the sets made so far still hold.</summary>
    public KeywordSets With(IEnumerable<string> more)
    {
        var grown = new KeywordSets([.. Names, .. more]);
        foreach (var (bitmap, set) in _sets)
        {
            grown._sets.TryAdd(bitmap, set);
        }

        return grown;
    }

    /// <summary>Name to bit for each name.</summary>
    public Dictionary<string, int> Ids()
    {
        var ids = new Dictionary<string, int>(FlagSet.KeywordComparer);
        for (int i = 0; i < Names.Length; i++)
        {
            ids.TryAdd(Names[i], i);
        }

        return ids;
    }

    public ImmutableSortedSet<string> Of(ulong bitmap)
    {
        if (_sets.TryGetValue(bitmap, out var set))
        {
            return set;
        }

        var names = new List<string>();
        for (int k = 0; k < Names.Length && k < 64; k++)
        {
            if ((bitmap & (1UL << k)) != 0)
            {
                names.Add(Names[k]);
            }
        }

        set = ImmutableSortedSet.CreateRange(FlagSet.KeywordComparer, names);
        return _sets.GetOrAdd(bitmap, set);
    }

    /// <summary>True when <paramref name="other"/>'s names begin with all of these (a bitmap means the same in both).</summary>
    public bool IsPrefixOf(KeywordSets other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Names.Length > other.Names.Length)
        {
            return false;
        }

        for (int i = 0; i < Names.Length; i++)
        {
            if (!string.Equals(Names[i], other.Names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
