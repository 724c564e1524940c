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

    public required DateTimeOffset InternalDate { get; init; }

    /// <summary>RFC822.SIZE: the size with CRLF line ends; negative while not yet counted.</summary>
    public required long Size { get; set; }

    /// <summary>The size of the file on disk.</summary>
    public required long FileSize { get; init; }

    public required ulong ModSeq { get; set; }

    /// <summary>The last directory scan that found this file under its known name (see <see cref="MaildirDirectoryScan"/>).</summary>
    public int ScanMark { get; set; }

    public string RelativePath => Dir + "/" + Name;

    /// <summary>The message as listed; <paramref name="sizeOf"/> counts a size not known yet, when it is asked for.</summary>
    public MessageInfo ToInfo(Func<MaildirEntry, long> sizeOf) =>
        Size >= 0 ? new(Uid, Flags, InternalDate, Size, ModSeq) : new(Uid, Flags, InternalDate, () => sizeOf(this), ModSeq);
}
