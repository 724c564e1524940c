namespace Imap4d.Mime;

/// <summary>
/// Scans a message (client view: CRLF line ends, bare LF accepted) into a <see cref="MimePart"/>
/// tree with exact byte offsets. Streaming: a fixed buffer, bounded header retention, a depth
/// limit and a part limit, so any input gives a valid tree in bounded time and memory.
/// </summary>
public static class MimeScanner
{
    /// <summary>
    /// Nesting levels, counting the message as level 1: a multipart or message/rfc822 at level
    /// 100 becomes an application/octet-stream leaf (as Dovecot's max_nested_mime_parts = 100).
    /// </summary>
    public const int MaxDepth = 100;

    /// <summary>At most this many parts are created (Dovecot's max_total_mime_parts).</summary>
    public const int MaxParts = 10000;

    /// <summary>Header bytes kept per part; beyond this only Content-* fields are kept.</summary>
    public const int MaxHeaderBytes = 256 * 1024;

    /// <summary>Header bytes kept per message; beyond this only Content-* fields are kept.</summary>
    public const long MaxTotalHeaderBytes = 8L * 1024 * 1024;

    /// <summary>Scans <paramref name="content"/> from its current position to its end.</summary>
    public static MimePart Scan(Stream content) => new MimeScanContext(content).Run();

    /// <summary>Scans an in-memory message.</summary>
    public static MimePart Scan(byte[] content)
    {
        using var ms = new MemoryStream(content, false);
        return Scan(ms);
    }
}
