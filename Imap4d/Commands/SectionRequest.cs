using Imap4d.Protocol;

namespace Imap4d.Commands;

internal enum SectionPart
{
    Whole,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
}

/// <summary>
/// The part of a message a BODY[...] item asks for, with an optional &lt;offset.count&gt;.
/// (Top-level sections only; part numbers come with the MIME engine.)
/// </summary>
internal sealed record SectionRequest(SectionPart Part, IReadOnlyList<string> Fields, long? PartialOffset, long? PartialCount)
{
    public string CanonicalText => Part switch
    {
        SectionPart.Whole => "",
        SectionPart.Header => "HEADER",
        SectionPart.Text => "TEXT",
        SectionPart.HeaderFields => "HEADER.FIELDS (" + string.Join(' ', Fields) + ")",
        _ => "HEADER.FIELDS.NOT (" + string.Join(' ', Fields) + ")",
    };

    /// <summary>Parses what follows "BODY[": the section, "]", and an optional partial.</summary>
    public static SectionRequest Parse(string text)
    {
        int close = text.LastIndexOf(']');
        if (close < 0)
        {
            throw new ImapSyntaxException("Invalid section");
        }

        string section = text[..close].Trim();
        string rest = text[(close + 1)..];
        long? offset = null, count = null;
        if (rest.Length > 0)
        {
            if (rest[0] != '<' || rest[^1] != '>')
            {
                throw new ImapSyntaxException("Invalid partial");
            }

            string[] numbers = rest[1..^1].Split('.');
            if (numbers.Length != 2 || !long.TryParse(numbers[0], out long o) || !long.TryParse(numbers[1], out long c) || o < 0 || c <= 0)
            {
                throw new ImapSyntaxException("Invalid partial");
            }

            (offset, count) = (o, c);
        }

        string upper = section.ToUpperInvariant();
        if (upper.Length == 0)
        {
            return new SectionRequest(SectionPart.Whole, [], offset, count);
        }

        if (upper == "HEADER")
        {
            return new SectionRequest(SectionPart.Header, [], offset, count);
        }

        if (upper == "TEXT")
        {
            return new SectionRequest(SectionPart.Text, [], offset, count);
        }

        bool not = upper.StartsWith("HEADER.FIELDS.NOT", StringComparison.Ordinal);
        if (upper.StartsWith("HEADER.FIELDS", StringComparison.Ordinal))
        {
            string list = section[(not ? 17 : 13)..].Trim();
            if (list.Length < 2 || list[0] != '(' || list[^1] != ')')
            {
                throw new ImapSyntaxException("Invalid header list");
            }

            var fields = list[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Trim('"').ToUpperInvariant()).ToList();
            if (fields.Count == 0)
            {
                throw new ImapSyntaxException("Empty header list");
            }

            return new SectionRequest(not ? SectionPart.HeaderFieldsNot : SectionPart.HeaderFields, fields, offset, count);
        }

        throw new ImapSyntaxException("Unsupported section " + section);
    }

    public void Write(ResponseWriter writer, MessageContent content)
    {
        switch (Part)
        {
            case SectionPart.Whole:
                WriteStream(writer, content.Open(), 0, content.Info.Size);
                break;
            case SectionPart.Text:
                long headerLength = content.Header.Length;
                WriteStream(writer, content.Open(), headerLength, content.Info.Size - headerLength);
                break;
            case SectionPart.Header:
                WriteBytes(writer, content.Header);
                break;
            default:
                WriteBytes(writer, HeaderReader.Filter(content.Header, Fields, Part == SectionPart.HeaderFieldsNot));
                break;
        }
    }

    private void WriteBytes(ResponseWriter writer, byte[] bytes)
    {
        var (start, length) = Window(bytes.Length);
        writer.Literal(bytes.AsSpan((int)start, (int)length));
    }

    private void WriteStream(ResponseWriter writer, Stream stream, long start, long length)
    {
        using (stream)
        {
            var (from, count) = Window(length);
            Skip(stream, start + from);
            writer.Literal(stream, count);
        }
    }

    /// <summary>Moves to <paramref name="offset"/>: a seek when the stream can, reading otherwise.</summary>
    private static void Skip(Stream stream, long offset)
    {
        if (stream.CanSeek)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            return;
        }

        var buffer = new byte[64 * 1024];
        while (offset > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, offset));
            if (n <= 0)
            {
                return;
            }

            offset -= n;
        }
    }

    /// <summary>The partial window within a section of <paramref name="length"/> bytes.</summary>
    private (long Start, long Length) Window(long length)
    {
        if (PartialOffset is not long offset)
        {
            return (0, length);
        }

        long start = Math.Min(offset, length);
        return (start, Math.Min(PartialCount!.Value, length - start));
    }
}
