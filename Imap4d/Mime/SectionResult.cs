namespace Imap4d.Mime;

/// <summary>
/// What a section resolves to: a byte range of the message (<see cref="Content"/> null), or
/// computed bytes (HEADER.FIELDS / HEADER.FIELDS.NOT).
/// </summary>
public sealed record SectionResult(long Offset, long Length, byte[]? Content)
{
    public static SectionResult Range(long offset, long length) => new(offset, Math.Max(0, length), null);

    public static SectionResult Bytes(byte[] content) => new(0, content.Length, content);

    public bool IsComputed => Content is not null;
}
