namespace Imap4d.Storage.Mbox;

/// <summary>One message found by <see cref="MboxParser"/>: where its parts lie and what its bookkeeping headers say.</summary>
internal sealed class ParsedMessage
{
    /// <summary>Start of the <c>From </c> line.</summary>
    public long FromOffset { get; set; }

    /// <summary>First header byte (just after the From line).</summary>
    public long HeaderOffset { get; set; }

    /// <summary>First body byte (after the blank line); equals <see cref="ContentEnd"/> when there is no body.</summary>
    public long BodyOffset { get; set; }

    /// <summary>End of the message proper (the separating blank line is not part of it).</summary>
    public long ContentEnd { get; set; }

    /// <summary>Start of the next From line, or the end of the file.</summary>
    public long End { get; set; }

    /// <summary>RFC822.SIZE of the client view.</summary>
    public long ClientSize { get; set; }

    public uint XUid { get; set; }

    public (uint Validity, uint UidNext)? ImapBase { get; set; }

    /// <summary>UW imapd's "DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA" message (has X-IMAP).</summary>
    public bool IsPseudo { get; set; }

    public MessageFlags Flags { get; set; }

    public List<string>? Keywords { get; set; }

    /// <summary>Status had O: some program has shown this message before.</summary>
    public bool Old { get; set; }

    /// <summary>A Content-Length header was present and pointed exactly at the next From line or EOF.</summary>
    public bool ContentLengthHonoured { get; set; }

    public DateTimeOffset? FromDate { get; set; }

    public DateTimeOffset? HeaderDate { get; set; }

    public FlagSet FlagSet => Keywords is null ? new FlagSet(Flags, []) : FlagSet.Of(Flags, [.. Keywords]);
}
