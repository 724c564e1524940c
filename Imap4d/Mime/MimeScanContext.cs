namespace Imap4d.Mime;

/// <summary>The state of one <see cref="MimeScanner.Scan(Stream)"/> run.</summary>
internal sealed class MimeScanContext
{
    private readonly ScanBuffers _buffers;
    private readonly LineReader _reader;
    private readonly byte[] _headerLine;
    private readonly byte[] _bodyLine;
    private readonly List<byte[]> _boundaries;
    private readonly MemoryStream _header;
    private int _parts;
    private long _headerBytesKept;

    public MimeScanContext(Stream input)
    {
        _buffers = ScanBuffers.Take();
        _reader = new LineReader(input, _buffers.Read);
        _headerLine = _buffers.HeaderLine;
        _bodyLine = _buffers.BodyLine;
        _boundaries = _buffers.Boundaries;
        _header = _buffers.Header;
    }

    /// <summary>Scans the message; the context cannot be used again afterwards.</summary>
    public MimePart Run()
    {
        try
        {
            var root = new MimePart(0);
            _parts = 1;
            ParsePart(root, digestChild: false, messageRoot: true);
            return root;
        }
        finally
        {
            _buffers.Return();
        }
    }

    /// <summary>Parses one part from the current position; returns the boundary that ended it, or null at the end.</summary>
    private BoundaryHit? ParsePart(MimePart part, bool digestChild, bool messageRoot)
    {
        part.HeaderOffset = _reader.Position;
        var hit = ReadHeader(part);
        ApplyMime(part, digestChild, messageRoot);
        if (hit is not null)
        {
            // A boundary inside the header: no body. The header keeps its last line break (as
            // Dovecot counts it); enclosing parts then end at the boundary line, not before it.
            part.BodyOffset = hit.LineStart;
            part.EndOffset = hit.LineStart;
            part.BodyLines = 0;
            if (IsMessageType(part.EffectiveType) && !part.LimitExceeded)
            {
                // An empty encapsulated message: its BODYSTRUCTURE still needs an envelope and
                // a body (RFC 3501 body-type-msg), so it gets an empty message, as in Dovecot.
                var inner = new MimePart(part.Depth + 1)
                {
                    HeaderOffset = hit.LineStart,
                    BodyOffset = hit.LineStart,
                    EndOffset = hit.LineStart,
                };
                _parts++;
                ApplyMime(inner, digestChild: false, messageRoot: true);
                part.Message = inner;
            }

            return hit;
        }

        long lfStart = _reader.LineFeeds;
        if (part.IsMultipart)
        {
            hit = ParseMultipartBody(part);
        }
        else if (IsMessageType(part.EffectiveType) && !part.LimitExceeded)
        {
            var inner = new MimePart(part.Depth + 1);
            _parts++;
            part.Message = inner;
            hit = ParsePart(inner, digestChild: false, messageRoot: true);
        }
        else
        {
            hit = SkipBody();
        }

        if (hit is null)
        {
            part.EndOffset = _reader.Position;
            part.BodyLines = _reader.LineFeeds - lfStart;
        }
        else
        {
            // The line break before the boundary belongs to the boundary. A part never ends
            // before its body starts nor before its last child ends (only possible with an
            // empty part squeezed between two boundary lines).
            long end = Math.Max(part.BodyOffset, hit.LineStart - hit.PrevTerminator);
            if (part.Message is not null)
            {
                end = Math.Max(end, part.Message.EndOffset);
            }

            if (part.ChildList.Count > 0)
            {
                end = Math.Max(end, part.ChildList[^1].EndOffset);
            }

            part.EndOffset = end;
            long lfAtEnd = end >= hit.LineStart ? hit.LineFeedsBefore : hit.LineFeedsBefore - 1;
            part.BodyLines = end == part.BodyOffset ? 0 : lfAtEnd - lfStart;
        }

        return hit;
    }

    private BoundaryHit? ParseMultipartBody(MimePart part)
    {
        string? boundary = part.EffectiveType.GetParameter("boundary");
        if (string.IsNullOrEmpty(boundary))
        {
            return SkipBody();
        }

        bool digest = part.EffectiveType.Subtype.Equals("digest", StringComparison.OrdinalIgnoreCase);
        _boundaries.Add(RawText.ToBytes(boundary));
        int mine = _boundaries.Count - 1;
        var hit = SkipBody(); // preamble
        while (hit is not null && hit.Index == mine && !hit.Close)
        {
            if (_parts >= MimeScanner.MaxParts)
            {
                hit = SkipBody();
                continue;
            }

            var child = new MimePart(part.Depth + 1);
            _parts++;
            part.ChildList.Add(child);
            hit = ParsePart(child, digest, messageRoot: false);
        }

        _boundaries.RemoveAt(mine);
        if (hit is not null && hit.Index == mine)
        {
            hit = SkipBody(); // epilogue
        }

        return hit;
    }

    /// <summary>Reads lines until a boundary line of an open multipart (consumed) or the end.</summary>
    private BoundaryHit? SkipBody()
    {
        if (_boundaries.Count == 0)
        {
            while (_reader.ReadLine(_bodyLine, out _))
            {
            }

            return null;
        }

        while (true)
        {
            int prevTerm = _reader.LastTerminator;
            long lfBefore = _reader.LineFeeds;
            if (!_reader.ReadLine(_bodyLine, out var line))
            {
                return null;
            }

            var hit = MatchBoundary(_bodyLine.AsSpan(0, line.Kept), line, prevTerm, lfBefore);
            if (hit is not null)
            {
                return hit;
            }
        }
    }

    private BoundaryHit? MatchBoundary(ReadOnlySpan<byte> kept, LineInfo line, int prevTerm, long lfBefore)
    {
        if (_boundaries.Count == 0 || kept.Length < 3 || kept[0] != '-' || kept[1] != '-')
        {
            return null;
        }

        var rest = kept[2..];
        long restLength = line.ContentLength - 2;
        int best = -1;
        for (int i = _boundaries.Count - 1; i >= 0; i--)
        {
            var b = _boundaries[i];
            if (b.Length <= rest.Length && rest.StartsWith(b) && (best < 0 || _boundaries[best].Length < b.Length))
            {
                best = i;
                if (b.Length == restLength)
                {
                    break;
                }
            }
        }

        if (best < 0)
        {
            return null;
        }

        int len = _boundaries[best].Length;
        bool close = rest.Length >= len + 2 && rest[len] == '-' && rest[len + 1] == '-';
        return new BoundaryHit(best, close, line.Start, prevTerm, lfBefore);
    }

    private BoundaryHit? ReadHeader(MimePart part)
    {
        _header.SetLength(0);
        bool truncated = false;
        bool keepingField = false;
        while (true)
        {
            int prevTerm = _reader.LastTerminator;
            long lfBefore = _reader.LineFeeds;
            if (!_reader.ReadLine(_headerLine, out var line))
            {
                break;
            }

            if (line.ContentLength == 0)
            {
                // The blank line (or a final terminator-less empty read) ends the header.
                part.HeaderHasBlankLine = line.Terminator > 0;
                break;
            }

            var kept = _headerLine.AsSpan(0, line.Kept);
            var hit = MatchBoundary(kept, line, prevTerm, lfBefore);
            if (hit is not null)
            {
                part.Header = HeaderParser.Parse(_header.GetBuffer().AsSpan(0, (int)_header.Length), truncated);
                return hit;
            }

            bool continuation = kept[0] is (byte)' ' or (byte)'\t';
            bool underBudget = _header.Length + line.ContentLength + 2 <= MimeScanner.MaxHeaderBytes &&
                _headerBytesKept + line.ContentLength + 2 <= MimeScanner.MaxTotalHeaderBytes;
            bool keep;
            if (underBudget)
            {
                keep = true;
            }
            else
            {
                // Over budget: keep only Content-* fields (so the structure stays right), within a hard cap.
                keep = continuation ? keepingField : StartsWithContent(kept);
                keep &= _header.Length + line.Kept + 2 <= 2 * MimeScanner.MaxHeaderBytes &&
                        _headerBytesKept + line.Kept + 2 <= 2 * MimeScanner.MaxTotalHeaderBytes;
                truncated = true;
            }

            if (!continuation)
            {
                keepingField = keep;
            }

            if (keep && (!continuation || keepingField))
            {
                if (line.Kept < line.ContentLength)
                {
                    truncated = true;
                }

                _header.Write(kept);
                if (line.Terminator == 2)
                {
                    _header.WriteByte((byte)'\r');
                }

                if (line.Terminator > 0)
                {
                    // A last line without a line break (the end of the message) is kept as it is.
                    _header.WriteByte((byte)'\n');
                }
                _headerBytesKept += line.Kept + line.Terminator;
            }
            else
            {
                truncated = true;
            }
        }

        part.BodyOffset = _reader.Position;
        part.Header = HeaderParser.Parse(_header.GetBuffer().AsSpan(0, (int)_header.Length), truncated);
        return null;
    }

    private static bool StartsWithContent(ReadOnlySpan<byte> line) =>
        line.Length >= 8 && System.Text.Ascii.EqualsIgnoreCase(line[..8], "content-"u8);

    private static bool IsMessageType(ContentType t) =>
        t.IsType("message") && (t.Subtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) ||
                                t.Subtype.Equals("global", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Sets the MIME fields of a part from its header. The header of a message (the top level
    /// or an encapsulated one) is a MIME header only when it has MIME-Version or Content-Type
    /// (RFC 2045 §4; Dovecot does the same): otherwise its other Content-* fields are ignored.
    /// </summary>
    private void ApplyMime(MimePart part, bool digestChild, bool messageRoot)
    {
        var h = part.Header;
        string? contentType = h.GetValue("Content-Type");
        var ct = HeaderParser.ParseContentType(contentType);
        part.ContentType = ct;
        var effective = ct ?? MimePart.DefaultFor(digestChild);
        bool mime = !messageRoot || contentType is not null || h.Get("MIME-Version") is not null;
        if (mime)
        {
            ApplyContentFields(part, h);
        }

        bool container = effective.IsType("multipart") || IsMessageType(effective);
        if (container && (part.Depth + 1 >= MimeScanner.MaxDepth || _parts >= MimeScanner.MaxParts))
        {
            part.LimitExceeded = true;
            effective = new ContentType("application", "octet-stream", effective.Parameters);
        }

        part.EffectiveType = effective;
        part.IsMultipart = effective.IsType("multipart");
    }

    private static void ApplyContentFields(MimePart part, HeaderBlock h)
    {
        part.ContentId = h.GetValue("Content-ID");
        part.ContentDescription = h.GetValue("Content-Description");
        part.ContentMd5 = h.GetValue("Content-MD5");
        part.ContentLocation = h.GetValue("Content-Location");
        part.ContentDisposition = HeaderParser.ParseDisposition(h.GetValue("Content-Disposition"));
        part.ContentLanguage = HeaderParser.ParseLanguage(h.GetValue("Content-Language"));
        string? cte = h.GetValue("Content-Transfer-Encoding");
        if (cte is not null)
        {
            var r = new StructuredReader(cte);
            r.SkipCfws();
            string token = r.ReadUntil(";");
            part.ContentTransferEncoding = token.Length > 0 ? token : null;
        }
    }
}
