namespace Imap4d.Storage;

/// <summary>
/// One message as a mailbox lists it. <see cref="Size"/> is RFC822.SIZE: the client view
/// (CRLF line ends, bookkeeping headers removed). <see cref="ModSeq"/> grows with every flag
/// change (room for CONDSTORE).
/// </summary>
public sealed record MessageInfo(uint Uid, FlagSet Flags, DateTimeOffset InternalDate, long Size, ulong ModSeq = 1)
{
    private Func<long>? _sizeSource;
    private long _size = Size;
    private Func<DateTimeOffset>? _dateSource;
    private DateTimeOffset _date = InternalDate;

    /// <summary>
    /// A message whose size is worked out only when first asked for (a maildir file without
    /// <c>W=</c> must be read whole to count its line ends; opening the mailbox does not).
    /// </summary>
    public MessageInfo(uint uid, FlagSet flags, DateTimeOffset internalDate, Func<long> sizeSource, ulong modSeq)
        : this(uid, flags, internalDate, -1, modSeq)
    {
        _sizeSource = sizeSource;
    }

    /// <summary>
    /// A message whose date (and size, when <paramref name="sizeSource"/> is given) is looked up only
    /// when first asked for: a maildir file's date is its mtime, and the first SELECT of a maildir
    /// stats no file (as Dovecot, which reads the mtime when a client first asks for it).
    /// </summary>
    public MessageInfo(uint uid, FlagSet flags, Func<DateTimeOffset> dateSource, long size, Func<long>? sizeSource, ulong modSeq)
        : this(uid, flags, default, size, modSeq)
    {
        _dateSource = dateSource;
        _sizeSource = sizeSource;
    }

    public DateTimeOffset InternalDate
    {
        get
        {
            if (_dateSource is { } source)
            {
                _date = source();
                _dateSource = null;
            }

            return _date;
        }

        init => _date = value;
    }

    public long Size
    {
        get
        {
            if (_sizeSource is { } source)
            {
                _size = source();
                _sizeSource = null;
            }

            return _size;
        }

        init => _size = value;
    }

    public bool Equals(MessageInfo? other) =>
        other is not null && Uid == other.Uid && Flags.Equals(other.Flags) && InternalDate == other.InternalDate
        && ModSeq == other.ModSeq && Size == other.Size;

    public override int GetHashCode() => HashCode.Combine(Uid, Flags, InternalDate, ModSeq);
}
