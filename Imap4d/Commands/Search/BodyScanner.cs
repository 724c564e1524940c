using System.Buffers;
using Imap4d.IO;
using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// One streaming pass over a message body for every BODY/TEXT needle of a search. Searched:
/// the text/* parts, transfer-decoded (base64, quoted-printable) and charset-decoded, and the
/// header and text parts of attached messages (message/rfc822), recursively; for TEXT also the
/// MIME headers of every part (RFC 2047 words decoded), as Dovecot does. A single-part
/// message is read on from where its header ended; a multipart one is scanned with
/// <see cref="MimeScanner"/> and its text parts are then read in order from a second stream.
/// Memory stays bounded whatever the size of the parts.
/// </summary>
internal sealed class BodyScanner
{
    private const int ChunkSize = 16 * 1024;

    private readonly TextMatcher[] _matchers;
    private readonly TextMatcher[] _partHeaderMatchers;

    public BodyScanner(IReadOnlyList<BodyNeedle> needles)
    {
        _matchers = needles.Select(n => new TextMatcher(n.Folded)).ToArray();
        _partHeaderMatchers = _matchers.Where((_, i) => needles[i].WithPartHeaders).ToArray();
    }

    private bool AllFound => _matchers.All(m => m.Found);

    /// <summary>Searches the body; returns, per needle, whether it was found.</summary>
    /// <param name="header">The parsed message header.</param>
    /// <param name="headerRead">How the header was read from <paramref name="afterHeader"/>.</param>
    /// <param name="afterHeader">The message stream, positioned after what <paramref name="headerRead"/> read.</param>
    /// <param name="reopen">Opens the message again from its start.</param>
    public bool[] Scan(HeaderBlock header, MessageHeaderReader headerRead, Stream afterHeader, Func<Stream> reopen)
    {
        if (!AllFound)
        {
            string? contentType = header.GetValue("Content-Type");
            bool mime = contentType is not null || header.Get("MIME-Version") is not null;
            var type = HeaderParser.ParseContentType(contentType);
            if (type is not null && IsContainer(type))
            {
                ScanStructure(headerRead, afterHeader, reopen);
            }
            else if (type is null || type.IsType("text"))
            {
                string? encoding = mime ? TransferEncoding(header.GetValue("Content-Transfer-Encoding")) : null;
                var body = new SpliceStream(headerRead.BodyStartBytes, afterHeader);
                FeedPart(body, encoding, type?.GetParameter("charset"));
            }
        }

        return _matchers.Select(m => m.Found).ToArray();
    }

    private void ScanStructure(MessageHeaderReader headerRead, Stream afterHeader, Func<Stream> reopen)
    {
        MimePart root;
        if (headerRead.Truncated)
        {
            using var again = reopen();
            root = MimeScanner.Scan(again);
        }
        else
        {
            root = MimeScanner.Scan(new SpliceStream(headerRead.AllRead, afterHeader));
        }

        var leaves = new List<MimePart>();
        Collect(root, leaves, messageRoot: true);
        if (leaves.Count == 0 || AllFound)
        {
            return;
        }

        using var stream = reopen();
        byte[] scratch = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long position = 0;
            foreach (var leaf in leaves)
            {
                if (!SpliceStream.Skip(stream, leaf.BodyOffset - position, scratch))
                {
                    return;
                }

                var part = new SpliceStream(ReadOnlyMemory<byte>.Empty, stream, leaf.BodySize);
                FeedPart(part, leaf.ContentTransferEncoding, leaf.EffectiveType.GetParameter("charset"));
                if (AllFound)
                {
                    return;
                }

                // Whatever of the part was not read (an early stop) is skipped to reach the next.
                SpliceStream.Skip(part, long.MaxValue, scratch);
                position = leaf.EndOffset;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Lists the text leaves in stream order. Headers are already in memory and are searched
    /// right away: those of attached messages (part of the body text) for every needle, the
    /// MIME headers of parts for TEXT needles.
    /// </summary>
    private void Collect(MimePart part, List<MimePart> leaves, bool messageRoot)
    {
        if (!messageRoot)
        {
            FeedHeader(part.Header, _partHeaderMatchers);
        }

        if (part.IsMultipart)
        {
            foreach (var child in part.Children)
            {
                Collect(child, leaves, messageRoot: false);
            }
        }
        else if (part.Message is { } inner)
        {
            FeedHeader(inner.Header, _matchers);
            Collect(inner, leaves, messageRoot: true);
        }
        else if (part.EffectiveType.IsType("text") && !part.LimitExceeded)
        {
            leaves.Add(part);
        }
    }

    private static void FeedHeader(HeaderBlock header, TextMatcher[] matchers)
    {
        if (matchers.Length == 0)
        {
            return;
        }

        foreach (var field in header.Fields)
        {
            string line = field.HasColon ? field.Name + ": " + Rfc2047Decoder.Decode(field.Value) : field.Name;
            string folded = TextFolding.Fold(line);
            foreach (var m in matchers)
            {
                m.Feed(folded);
                m.Break();
            }
        }
    }

    /// <summary>Decodes one part and feeds its text to the matchers; stops early when all are found.</summary>
    private void FeedPart(Stream encoded, string? transferEncoding, string? charset)
    {
        var decoder = ChunkTextDecoder.Create(charset);
        byte[] bytes = ArrayPool<byte>.Shared.Rent(ChunkSize);
        char[] chars = ArrayPool<char>.Shared.Rent(ChunkTextDecoder.MaxChars(ChunkSize));
        try
        {
            using var decoded = TransferDecoder.Open(encoded, transferEncoding);
            while (!AllFound)
            {
                int n = decoded.Read(bytes, 0, ChunkSize);
                int count = decoder.Decode(bytes.AsSpan(0, Math.Max(n, 0)), chars, final: n <= 0);
                var text = chars.AsSpan(0, count);
                TextFolding.FoldInPlace(text);
                foreach (var m in _matchers)
                {
                    m.Feed(text);
                }

                if (n <= 0)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
            foreach (var m in _matchers)
            {
                m.Break();
            }
        }
    }

    private static bool IsContainer(ContentType type) =>
        type.IsType("multipart") || type.Is("message", "rfc822") || type.Is("message", "global");

    /// <summary>The Content-Transfer-Encoding token (comments and parameters dropped).</summary>
    private static string? TransferEncoding(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var r = new StructuredReader(value);
        r.SkipCfws();
        string token = r.ReadUntil(";");
        return token.Length > 0 ? token : null;
    }
}
