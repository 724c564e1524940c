namespace Imap4d.Storage.Mbox;

/// <summary>
/// One message of an mbox as the index knows it: UID, flags, internal date, client-view size,
/// modification sequence, where it lies in the file, and a few state bits. A value, kept in a
/// plain array (<see cref="MboxIndex"/>), so a large mailbox costs no object per message.
/// <see cref="Offset"/> is the From line, <see cref="End"/> where the next message's From line
/// (or the end of file) is; the header runs from <see cref="HeaderOffset"/> to
/// <see cref="BodyOffset"/> (after the empty line), the body to <see cref="ContentEnd"/>.
/// <see cref="SaveDate"/> (RFC 8514, Unix seconds) is when our APPEND, COPY or MOVE stored it, or
/// for mail another program delivered, the date of its From line.
/// </summary>
internal readonly record struct MboxRecord(
    uint Uid,
    FlagSet Flags,
    DateTimeOffset InternalDate,
    long Size,
    ulong ModSeq,
    long Offset,
    long HeaderOffset,
    long BodyOffset,
    long ContentEnd,
    long End,
    int Bits,
    long SaveDate)
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

    /// <summary>Every bit this version knows; a record with others is not ours.</summary>
    public const int AllBits = Dirty | Old | ContentLengthHonoured | FlagsChanged;

    /// <summary>From the From line to the next one.</summary>
    public long Length => End - Offset;

    public bool Has(int bit) => (Bits & bit) != 0;

    public MboxRecord WithBits(int bits) => this with { Bits = bits };

    /// <summary>What a listing shows of it.</summary>
    public MessageInfo ToInfo() => new(Uid, Flags, InternalDate, Size, ModSeq);

    /// <summary>True when the offsets describe a message inside a file of <paramref name="fileSize"/> bytes.</summary>
    public bool IsWellFormed(long fileSize) =>
        Uid != 0 && Size >= 0 && Offset >= 0 && Offset < HeaderOffset && HeaderOffset <= BodyOffset
        && BodyOffset <= ContentEnd && ContentEnd <= End && End <= fileSize && (Bits & ~AllBits) == 0;
}
