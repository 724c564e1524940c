namespace Imap4d.Mime;

/// <summary>
/// Resolves a FETCH section to bytes of a scanned message, per RFC 3501 §6.4.5: part 1 of a
/// non-multipart message is its body; part numbers below a message/rfc822 part number the
/// encapsulated message's parts; MIME is a part's own header; HEADER and TEXT of a part
/// refer to the message encapsulated in a message/rfc822 part.
/// </summary>
public static class SectionLocator
{
    private const long MaxRereadHeader = 16L * 1024 * 1024;

    /// <summary>
    /// Returns the section, or null when it does not exist (the caller sends an empty string).
    /// <paramref name="content"/>, when seekable, is used to re-read a header too large to have
    /// been kept whole by the scanner (HEADER.FIELDS only).
    /// </summary>
    public static SectionResult? Locate(MimePart root, SectionSpec spec, Stream? content = null)
    {
        if (spec.Part.Count == 0)
        {
            return MessageText(root, spec, content);
        }

        if (FindPart(root, spec.Part) is not { } node)
        {
            return null;
        }

        switch (spec.Kind)
        {
            case SectionKind.Full:
                return SectionResult.Range(node.BodyOffset, node.BodySize);
            case SectionKind.Mime:
                return SectionResult.Range(node.HeaderOffset, node.HeaderSize);
            default:
                return node.Message is null ? null : MessageText(node.Message, spec, content);
        }
    }

    /// <summary>The part a non-empty part number (1.2.3) names; null when there is none.</summary>
    public static MimePart? FindPart(MimePart root, IReadOnlyList<int> part)
    {
        var node = root;
        bool asMessage = true;
        foreach (int n in part)
        {
            var next = Child(node, asMessage, n);
            if (next is null)
            {
                return null;
            }

            node = next;
            asMessage = false;
        }

        return node;
    }

    /// <summary>Part <paramref name="n"/> of <paramref name="node"/> (seen as a message or as a part).</summary>
    private static MimePart? Child(MimePart node, bool asMessage, int n)
    {
        if (node.IsMultipart)
        {
            return n >= 1 && n <= node.Children.Count ? node.Children[n - 1] : null;
        }

        if (!asMessage && node.Message is not null)
        {
            return Child(node.Message, true, n);
        }

        return asMessage && n == 1 ? node : null;
    }

    private static SectionResult MessageText(MimePart message, SectionSpec spec, Stream? content)
    {
        switch (spec.Kind)
        {
            case SectionKind.Header:
                return SectionResult.Range(message.HeaderOffset, message.HeaderSize);
            case SectionKind.Text:
                return SectionResult.Range(message.BodyOffset, message.BodySize);
            case SectionKind.HeaderFields:
            case SectionKind.HeaderFieldsNot:
                return SectionResult.Bytes(FilterHeader(HeaderOf(message, content), spec.Fields, spec.Kind == SectionKind.HeaderFieldsNot, message.HeaderHasBlankLine));
            default:
                return SectionResult.Range(message.HeaderOffset, message.EndOffset - message.HeaderOffset);
        }
    }

    private static HeaderBlock HeaderOf(MimePart part, Stream? content)
    {
        if (!part.Header.Truncated || content is null || !content.CanSeek || part.HeaderSize > MaxRereadHeader)
        {
            return part.Header;
        }

        var bytes = new byte[part.HeaderSize];
        content.Position = part.HeaderOffset;
        content.ReadExactly(bytes);
        return HeaderParser.Parse(bytes);
    }

    /// <summary>
    /// The matching (or, with <paramref name="not"/>, the other) fields as given, then a blank
    /// line when the header has one: RFC 3501 §6.4.5 includes the blank line in all header
    /// fetches "except in the case of a message which has no body and no blank line".
    /// </summary>
    public static byte[] FilterHeader(HeaderBlock header, IReadOnlyList<string> names, bool not, bool blankLine = true)
    {
        using var ms = new MemoryStream();
        bool crlf = true;
        foreach (var f in header.Fields)
        {
            bool match = f.HasColon && names.Any(n => n.Equals(f.Name, StringComparison.OrdinalIgnoreCase));
            if (match == not || (!f.HasColon && !not))
            {
                continue;
            }

            // A field without a line break can only be the last line of a message that has
            // no body: it is sent as it is, with nothing after it.
            ms.Write(f.Raw);
            int len = f.Raw.Length;
            if (len > 0 && f.Raw[len - 1] == '\n')
            {
                crlf = len >= 2 && f.Raw[len - 2] == '\r';
            }
        }

        if (blankLine)
        {
            ms.Write(crlf ? "\r\n"u8 : "\n"u8);
        }

        return ms.ToArray();
    }
}
