using System.Globalization;
using Imap4d.IO;
using Imap4d.Mime;
using Imap4d.Protocol;

namespace Imap4d.Commands;

/// <summary>
/// RFC 3516 BINARY[part]&lt;partial&gt;, BINARY.PEEK[...] and BINARY.SIZE[part]: a part with its
/// Content-Transfer-Encoding undone (base64 and quoted-printable decoded; 7bit, 8bit and binary
/// as they are). An empty part number is the whole message; a multipart or message/rfc822 part is
/// sent as it is stored. An encoding we cannot decode fails the FETCH with [UNKNOWN-CTE].
/// </summary>
internal sealed record FetchBinary(IReadOnlyList<int> Part, long? PartialOffset, long? PartialCount)
{
    /// <summary>Decoded parts up to this size are kept in memory; beyond, in a private temporary file.</summary>
    private const int MemoryLimit = 1 << 20;

    /// <summary>Parses what follows "BINARY[" (or BINARY.PEEK[, BINARY.SIZE[): part numbers, "]", then a partial unless <paramref name="sizeOnly"/>.</summary>
    public static FetchBinary Parse(string text, bool sizeOnly)
    {
        int close = text.IndexOf(']');
        if (close < 0)
        {
            throw new ImapSyntaxException("Invalid section");
        }

        var part = new List<int>();
        if (close > 0)
        {
            foreach (string number in text[..close].Split('.'))
            {
                if (number.Length == 0 || !number.All(char.IsAsciiDigit) || number[0] == '0'
                    || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                {
                    throw new ImapSyntaxException("Invalid section");
                }

                part.Add(n);
            }
        }

        string rest = text[(close + 1)..];
        if (rest.Length == 0)
        {
            return new FetchBinary(part, null, null);
        }

        if (sizeOnly || !SectionSpec.TryParsePartial(rest, out long offset, out long count))
        {
            throw new ImapSyntaxException("Invalid partial");
        }

        return new FetchBinary(part, offset, count);
    }

    private string PartText => string.Join('.', Part);

    /// <summary>"BINARY[1.2]&lt;0&gt;" as the response names it (the origin only).</summary>
    public string ResponseName => "BINARY[" + PartText + "]" + (PartialOffset is long o ? $"<{o}>" : "");

    public string SizeResponseName => "BINARY.SIZE[" + PartText + "]";

    /// <summary>The decoded part (windowed by the partial), ready to be sent; empty when the part does not exist.</summary>
    public SectionData Prepare(MessageContent content)
    {
        var spool = new SpillStream(MemoryLimit);
        try
        {
            if (!TryDecode(content, spool, out bool hasNul))
            {
                spool.Dispose();
                return SectionData.Empty;
            }

            long length = spool.Length;
            long start = PartialOffset is long o ? Math.Min(o, length) : 0;
            long count = PartialOffset is null ? length : Math.Min(PartialCount!.Value, length - start);
            if (count <= 0)
            {
                spool.Dispose();
                return SectionData.Empty;
            }

            spool.Position = start;
            return new SectionData(default, spool, count, hasNul);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>The size of the decoded part (0 when it does not exist), for BINARY.SIZE.</summary>
    public long Size(MessageContent content)
    {
        if (Part.Count == 0)
        {
            return content.Info.Size;
        }

        var counter = new CountingSink();
        return TryDecode(content, counter, out _) ? counter.Length : 0;
    }

    /// <summary>Writes the decoded part to <paramref name="sink"/>; false when the part does not exist.</summary>
    private bool TryDecode(MessageContent content, Stream sink, out bool hasNul)
    {
        hasNul = false;
        long offset = 0;
        long length = content.Info.Size;
        string? encoding = null;
        if (Part.Count > 0)
        {
            if (SectionLocator.FindPart(content.Structure, Part) is not { } part)
            {
                return false;
            }

            if (!part.IsMultipart && !part.IsMessage)
            {
                encoding = part.ContentTransferEncoding;
                if (!TransferDecoder.CanDecode(encoding))
                {
                    throw new UnknownCteException();
                }
            }

            offset = part.BodyOffset;
            length = part.BodySize;
        }

        using var message = content.Open();
        if (message.CanSeek)
        {
            message.Seek(offset, SeekOrigin.Begin);
        }
        else
        {
            using var skipped = new SpliceStream(default, message, offset);
            skipped.CopyTo(Stream.Null);
        }

        using var body = new SpliceStream(default, message, length);
        using var decoded = TransferDecoder.Open(body, encoding);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = decoded.Read(buffer, 0, buffer.Length)) > 0)
        {
            hasNul |= buffer.AsSpan(0, n).Contains((byte)0);
            sink.Write(buffer, 0, n);
        }

        return true;
    }

    /// <summary>A write-only stream that only counts.</summary>
    private sealed class CountingSink : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _length += count;
    }
}

/// <summary>RFC 3516 §4.3: a part's Content-Transfer-Encoding is one the server cannot decode (answered NO [UNKNOWN-CTE]).</summary>
internal sealed class UnknownCteException() : Exception("Unknown Content-Transfer-Encoding");
