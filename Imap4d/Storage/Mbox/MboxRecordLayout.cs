using System.Buffers.Binary;
using Imap4d.Storage.Index;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// What the mbox driver keeps in <see cref="IndexRecord.Extra"/>: where the header and body of
/// the message lie (absolute offsets; <see cref="IndexRecord.Offset"/> is the From line and
/// <see cref="IndexRecord.Length"/> runs to the next From line) and a few state bits.
/// </summary>
internal readonly record struct MboxRecordLayout(long HeaderOffset, long BodyOffset, long ContentEnd, int Bits)
{
    /// <summary>The file's Status/X-Status/X-Keywords/X-UID (or X-IMAPbase) disagree with the index: write back.</summary>
    public const int Dirty = 1;

    /// <summary>The file's Status has O.</summary>
    public const int Old = 2;

    /// <summary>The message's Content-Length header is right and is kept when rewriting.</summary>
    public const int ContentLengthHonoured = 4;

    /// <summary>
    /// A STORE here changed the flags and the file's Status headers do not have them yet (always
    /// with <see cref="Dirty"/>): they win over the file's at a re-read. Dirty alone (a UID the
    /// file lacks) must not: the file's flags are then the newer word, e.g. another program's.
    /// </summary>
    public const int FlagsChanged = 8;

    private const byte Version = 1;
    private const int PackedLength = 1 + 8 + 8 + 8 + 4;

    public bool Has(int bit) => (Bits & bit) != 0;

    public byte[] Pack(long fromOffset)
    {
        var bytes = new byte[PackedLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), HeaderOffset - fromOffset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(9), BodyOffset - fromOffset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(17), ContentEnd - fromOffset);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(25), Bits);
        return bytes;
    }

    /// <summary>The layout of a record; null when the record was not written by this driver version.</summary>
    public static MboxRecordLayout? Of(IndexRecord record)
    {
        if (record.Extra is not { Length: PackedLength } bytes || bytes[0] != Version)
        {
            return null;
        }

        return new MboxRecordLayout(
            record.Offset + BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(1)),
            record.Offset + BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)),
            record.Offset + BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(25)));
    }

    public static MboxRecordLayout Require(IndexRecord record) =>
        Of(record) ?? throw new StorageException(StorageError.Corrupted, "Mailbox index is damaged", $"record {record.Uid} has no mbox layout");

    public IndexRecord With(IndexRecord record, int bits) =>
        record with { Extra = (this with { Bits = bits }).Pack(record.Offset) };
}
