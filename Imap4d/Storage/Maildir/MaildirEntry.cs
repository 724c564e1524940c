namespace Imap4d.Storage.Maildir;

/// <summary>One message file as the maildir state knows it (mutable: renames update it).</summary>
internal sealed class MaildirEntry
{
    public required uint Uid { get; init; }

    /// <summary>The file name up to the first ',' or ':' (what the UID list maps).</summary>
    public required string Key { get; init; }

    /// <summary>"cur" or "new".</summary>
    public required string Dir { get; set; }

    /// <summary>The full current file name in <see cref="Dir"/>.</summary>
    public required string Name { get; set; }

    public required FlagSet Flags { get; set; }

    /// <summary>A date not looked up yet (see <see cref="InternalDate"/>).</summary>
    public static readonly DateTimeOffset UnknownDate = DateTimeOffset.MinValue;

    /// <summary>The file's mtime; <see cref="UnknownDate"/> while the file was not stat'ed (a scan does not stat).</summary>
    public required DateTimeOffset InternalDate { get; set; }

    /// <summary>RFC822.SIZE: the size with CRLF line ends; negative while not yet counted.</summary>
    public required long Size { get; set; }

    /// <summary>The size of the file on disk; negative while not known (no <c>S=</c> in the name, not stat'ed yet).</summary>
    public required long FileSize { get; set; }

    /// <summary>True when the file's date and size on disk are known (no stat needed).</summary>
    public bool FactsKnown => FileSize >= 0 && InternalDate != UnknownDate;

    public required ulong ModSeq { get; set; }

    /// <summary>The last directory scan that found this file under its known name (see <see cref="MaildirDirectoryScan"/>).</summary>
    public int ScanMark { get; set; }

    public string RelativePath => Dir + "/" + Name;

    /// <summary>
    /// The message as listed; <paramref name="sizeOf"/> counts a size not known yet and
    /// <paramref name="dateOf"/> stats for a date not known yet, when they are asked for.
    /// </summary>
    public MessageInfo ToInfo(Func<MaildirEntry, long> sizeOf, Func<MaildirEntry, DateTimeOffset> dateOf) =>
        ToInfo(Flags, ModSeq, sizeOf, dateOf);

    /// <summary>As <see cref="ToInfo(Func{MaildirEntry, long}, Func{MaildirEntry, DateTimeOffset})"/> with the flags and MODSEQ a view recorded.</summary>
    public MessageInfo ToInfo(FlagSet flags, ulong modSeq, Func<MaildirEntry, long> sizeOf, Func<MaildirEntry, DateTimeOffset> dateOf)
    {
        var date = InternalDate;
        long size = Size;
        if (date != UnknownDate)
        {
            return size >= 0 ? new(Uid, flags, date, size, modSeq) : new(Uid, flags, date, () => sizeOf(this), modSeq);
        }

        return new(Uid, flags, () => dateOf(this), size, size >= 0 ? null : () => sizeOf(this), modSeq);
    }
}
