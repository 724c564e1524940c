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

    /// <summary>
    /// Reads (or opens, positioned) what this section sends, before its response line starts:
    /// a message expunged meanwhile then fails here, with nothing written.
    /// </summary>
    public SectionData Prepare(MessageContent content)
    {
        if (IsTopLevel && Spec.Kind == SectionKind.Full)
        {
            return PrepareStream(content, 0, content.Info.Size);
        }

        if (IsTopLevel && Spec.Kind is SectionKind.Header or SectionKind.HeaderFields or SectionKind.HeaderFieldsNot or SectionKind.Text)
        {
            return PrepareTopLevel(content);
        }

        var result = SectionLocator.Locate(content.Structure, Spec);
        if (result is null)
        {
            return SectionData.Empty;
        }

        return result.IsComputed ? PrepareBytes(result.Content!) : PrepareStream(content, result.Offset, result.Length);
    }

    private SectionData PrepareTopLevel(MessageContent content)
    {
        if (Spec.Kind == SectionKind.HeaderFields && CachedHeaderFields.Covers(Spec.Fields)
            && CachedHeaderFields.TryGetRaw(content.Cache, content.Info, out byte[] cached))
        {
            return PrepareBytes(CachedHeaderFields.Filter(cached, Spec.Fields));
        }

        byte[] header = content.Header;
        return Spec.Kind switch
        {
            SectionKind.Header => PrepareBytes(header),
            SectionKind.Text => PrepareStream(content, header.Length, content.Info.Size - header.Length),
            _ => PrepareBytes(SectionLocator.FilterHeader(HeaderParser.Parse(header), Spec.Fields, Spec.Kind == SectionKind.HeaderFieldsNot,
                CachedHeaderFields.HasBlankLine(header, content.Info.Size))),
        };
    }

    private SectionData PrepareBytes(byte[] bytes)
    {
        var (start, length) = Window(bytes.Length);
        return length == 0 ? SectionData.Empty : new SectionData(bytes.AsMemory((int)start, (int)length), null, 0);
    }

    private SectionData PrepareStream(MessageContent content, long start, long length)
    {
        var (from, count) = Window(length);
        if (count <= 0)
        {
            return SectionData.Empty;
        }

        // Opened now: an open file stays readable when another session removes it (maildir, MH),
        // and mbox content is read into memory, so writing the line cannot fail half-way.
        var stream = content.Open();
        try
        {
            Skip(stream, start + from);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new SectionData(default, stream, count);
    }

    /// <summary>
    /// Moves to <paramref name="offset"/>: a seek when the stream can, reading otherwise. Nothing
    /// for a stream at its start: BODY[] of a maildir message (an LF to CRLF stream, which cannot
    /// seek) took a new 64 KiB buffer per message to skip no bytes, 64 MB of fresh memory for a
    /// FETCH of 1000 messages.
    /// </summary>
    private static void Skip(Stream stream, long offset)
    {
        if (stream.CanSeek)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            return;
        }

        if (offset <= 0)
        {
            return;
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
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
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
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
