namespace Imap4d.Mime;

/// <summary>
/// One node of a scanned message: the message itself, a MIME part, or the message
/// encapsulated in a message/rfc822 part. Offsets are byte offsets into the scanned stream.
/// </summary>
public sealed class MimePart
{
    private static readonly ContentType TextPlainDefault =
        new("text", "plain", [new MimeParameter("charset", "us-ascii")]);

    private static readonly ContentType MessageDefault = new("message", "rfc822", []);

    internal MimePart(int depth)
    {
        Depth = depth;
    }

    /// <summary>Nesting depth: 0 for the message itself.</summary>
    public int Depth { get; }

    /// <summary>Offset of the first header byte.</summary>
    public long HeaderOffset { get; internal set; }

    /// <summary>Offset of the first body byte (just after the blank line that ends the header).</summary>
    public long BodyOffset { get; internal set; }

    /// <summary>Offset just past the body; the line break before a boundary is not part of the body.</summary>
    public long EndOffset { get; internal set; }

    /// <summary>
    /// True when the header ends with a blank line; false when it runs to the end of the part
    /// (a message with no body and no blank line, or a header cut by a boundary).
    /// </summary>
    public bool HeaderHasBlankLine { get; internal set; }

    public long HeaderSize => BodyOffset - HeaderOffset;

    public long BodySize => EndOffset - BodyOffset;

    /// <summary>Number of LF bytes in the body.</summary>
    public long BodyLines { get; internal set; }

    public HeaderBlock Header { get; internal set; } = HeaderBlock.Empty;

    /// <summary>The Content-Type field as parsed; null when missing or invalid.</summary>
    public ContentType? ContentType { get; internal set; }

    /// <summary>
    /// The type that applies: the Content-Type, or the default (text/plain; charset=us-ascii, or
    /// message/rfc822 inside multipart/digest), or application/octet-stream for a container
    /// that was too deep to open.
    /// </summary>
    public ContentType EffectiveType { get; internal set; } = TextPlainDefault;

    /// <summary>Content-ID as in the header (unfolded, leading blanks removed). The Content-* fields
    /// below are null in a message header that has neither MIME-Version nor Content-Type.</summary>
    public string? ContentId { get; internal set; }

    public string? ContentDescription { get; internal set; }

    /// <summary>The Content-Transfer-Encoding token as spelled, or null when absent.</summary>
    public string? ContentTransferEncoding { get; internal set; }

    public string? ContentMd5 { get; internal set; }

    public ContentDisposition? ContentDisposition { get; internal set; }

    public IReadOnlyList<string> ContentLanguage { get; internal set; } = [];

    public string? ContentLocation { get; internal set; }

    /// <summary>Child parts of a multipart (empty otherwise).</summary>
    public IReadOnlyList<MimePart> Children => ChildList;

    /// <summary>The encapsulated message of a message/rfc822 (or message/global) part.</summary>
    public MimePart? Message { get; internal set; }

    public bool IsMultipart { get; internal set; }

    public bool IsMessage => Message is not null;

    /// <summary>True when this part should have been a container but the depth or part limit made it a leaf.</summary>
    public bool LimitExceeded { get; internal set; }

    internal List<MimePart> ChildList { get; } = [];

    internal static ContentType DefaultFor(bool digestChild) => digestChild ? MessageDefault : TextPlainDefault;
}
