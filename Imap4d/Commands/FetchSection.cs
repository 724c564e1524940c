using Imap4d.Mime;
using Imap4d.Protocol;

namespace Imap4d.Commands;

/// <summary>
/// A BODY[section]&lt;partial&gt; (or RFC822, RFC822.HEADER, RFC822.TEXT) item: what to locate
/// and the window of it to send. Top-level HEADER, HEADER.FIELDS and TEXT are served from
/// the header alone; anything with part numbers is located in the scanned structure.
/// </summary>
internal sealed record FetchSection(SectionSpec Spec, long? PartialOffset, long? PartialCount)
{
    /// <summary>Parses what follows "BODY[" in an item: the section, "]", then an optional partial.</summary>
    public static FetchSection Parse(string text)
    {
        int close = text.LastIndexOf(']');
        if (close < 0 || !SectionSpec.TryParse(text[..close], out var spec))
        {
            throw new ImapSyntaxException("Invalid section");
        }

        string rest = text[(close + 1)..];
        if (rest.Length == 0)
        {
            return new FetchSection(spec, null, null);
        }

        if (!SectionSpec.TryParsePartial(rest, out long offset, out long count))
        {
            throw new ImapSyntaxException("Invalid partial");
        }

        return new FetchSection(spec, offset, count);
    }

    /// <summary>"BODY[1.2.HEADER.FIELDS (A B)]&lt;0&gt;" as the response names it (the origin only, RFC 3501).</summary>
    public string ResponseName => "BODY[" + Spec + "]" + (PartialOffset is long o ? $"<{o}>" : "");

    private bool IsTopLevel => Spec.Part.Count == 0;

    public void Write(ResponseWriter writer, MessageContent content)
    {
        if (IsTopLevel && Spec.Kind == SectionKind.Full)
        {
            WriteStream(writer, content, 0, content.Info.Size);
            return;
        }

        if (IsTopLevel && Spec.Kind is SectionKind.Header or SectionKind.HeaderFields or SectionKind.HeaderFieldsNot or SectionKind.Text)
        {
            WriteTopLevel(writer, content);
            return;
        }

        var result = SectionLocator.Locate(content.Structure, Spec);
        if (result is null)
        {
            writer.String("");
        }
        else if (result.IsComputed)
        {
            WriteBytes(writer, result.Content!);
        }
        else
        {
            WriteStream(writer, content, result.Offset, result.Length);
        }
    }

    private void WriteTopLevel(ResponseWriter writer, MessageContent content)
    {
        if (Spec.Kind == SectionKind.HeaderFields && CachedHeaderFields.Covers(Spec.Fields)
            && CachedHeaderFields.TryGet(content.Cache, content.Info, out var cached, out bool blankLine))
        {
            WriteBytes(writer, SectionLocator.FilterHeader(cached, Spec.Fields, false, blankLine));
            return;
        }

        byte[] header = content.Header;
        switch (Spec.Kind)
        {
            case SectionKind.Header:
                WriteBytes(writer, header);
                break;
            case SectionKind.Text:
                WriteStream(writer, content, header.Length, content.Info.Size - header.Length);
                break;
            default:
                WriteBytes(writer, SectionLocator.FilterHeader(HeaderParser.Parse(header), Spec.Fields, Spec.Kind == SectionKind.HeaderFieldsNot,
                    CachedHeaderFields.HasBlankLine(header, content.Info.Size)));
                break;
        }
    }

    private void WriteBytes(ResponseWriter writer, byte[] bytes)
    {
        var (start, length) = Window(bytes.Length);
        if (length == 0)
        {
            writer.String("");
            return;
        }

        writer.Literal(bytes.AsSpan((int)start, (int)length));
    }

    private void WriteStream(ResponseWriter writer, MessageContent content, long start, long length)
    {
        var (from, count) = Window(length);
        if (count <= 0)
        {
            writer.String("");
            return;
        }

        using var stream = content.Open();
        Skip(stream, start + from);
        writer.Literal(stream, count);
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
