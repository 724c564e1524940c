using System.Text;
using Imap4d.IO;
using Imap4d.Mime;

namespace Imap4d.Delivery;

/// <summary>
/// One message received for delivery (from standard input or LMTP DATA), spooled once and read
/// back for each recipient. A leading mbox "From " envelope line is dropped (its address is the
/// sender when none was given), and a Return-Path field naming the envelope sender is put in
/// front when the header has none, as the final delivery agent does (RFC 5321 §4.4).
/// </summary>
public sealed class IncomingMessage : IDisposable
{
    /// <summary>How much of the header is parsed for the filter and the quarantine check.</summary>
    private const int HeaderScanLimit = 64 * 1024;

    private readonly SpillStream _content;
    private readonly byte[] _prefix;

    private IncomingMessage(SpillStream content, string? sender, byte[] prefix, HeaderBlock header)
    {
        _content = content;
        Sender = sender;
        _prefix = prefix;
        Header = header;
    }

    /// <summary>The envelope sender ("" for the null sender &lt;&gt;), or null when unknown.</summary>
    public string? Sender { get; }

    /// <summary>The message's header fields (the first 64 KiB of them).</summary>
    public HeaderBlock Header { get; }

    /// <summary>The size of what is stored, Return-Path included.</summary>
    public long Length => _prefix.Length + _content.Length;

    /// <summary>The message as stored. One reader at a time: each call rewinds the same spool.</summary>
    public Stream OpenRead()
    {
        _content.Position = 0;
        return new PrefixedStream(_prefix, _content);
    }

    /// <summary>Writes the message as stored to <paramref name="target"/>.</summary>
    public void CopyTo(Stream target)
    {
        using var source = OpenRead();
        source.CopyTo(target);
    }

    public void Dispose() => _content.Dispose();

    /// <summary>Reads a whole message from <paramref name="input"/>; throws <see cref="InvalidDataException"/> when it is empty or too big.</summary>
    public static IncomingMessage Read(Stream input, string? sender, long maxSize)
    {
        using var builder = new Builder(sender, maxSize);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            builder.Write(buffer.AsSpan(0, n));
        }

        return builder.Finish();
    }

    /// <summary>Collects a message written in pieces (LMTP DATA lines, or blocks of standard input).</summary>
    public sealed class Builder : IDisposable
    {
        private const int EnvelopeLineLimit = 1000;
        private readonly long _maxSize;
        private readonly MemoryStream _firstLine = new();
        private SpillStream? _content = new(1 << 20);
        private string? _sender;
        private bool _firstLineDone;
        private long _written;

        public Builder(string? sender, long maxSize)
        {
            _sender = sender;
            _maxSize = maxSize;
        }

        /// <summary>More bytes than the limit arrived: the rest is read and dropped, and <see cref="Finish"/> refuses.</summary>
        public bool TooBig { get; private set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            if (!_firstLineDone)
            {
                int lf = data.IndexOf((byte)'\n');
                int take = lf < 0 ? data.Length : lf + 1;
                _firstLine.Write(data[..take]);
                data = data[take..];
                if (lf < 0 && _firstLine.Length < EnvelopeLineLimit)
                {
                    return;
                }

                _firstLineDone = true;
                EndFirstLine();
            }

            Store(data);
        }

        public IncomingMessage Finish()
        {
            if (!_firstLineDone)
            {
                _firstLineDone = true;
                EndFirstLine();
            }

            if (TooBig)
            {
                throw new InvalidDataException($"the message is larger than {_maxSize} bytes");
            }

            var content = _content!;
            if (content.Length == 0)
            {
                throw new InvalidDataException("the message is empty");
            }

            content.Position = 0;
            var head = new byte[(int)Math.Min(content.Length, HeaderScanLimit)];
            content.ReadExactly(head);
            var header = HeaderParser.Parse(head, truncated: head.Length < content.Length && head.AsSpan().IndexOf("\n\n"u8) < 0);
            byte[] prefix = [];
            if (_sender is not null && header.Get("Return-Path") is null)
            {
                string lineEnd = head.AsSpan().IndexOf("\r\n"u8) is int crlf && crlf >= 0 && crlf == head.AsSpan().IndexOf((byte)'\n') - 1 ? "\r\n" : "\n";
                prefix = Encoding.UTF8.GetBytes($"Return-Path: <{_sender}>{lineEnd}");
            }

            _content = null;
            return new IncomingMessage(content, _sender, prefix, header);
        }

        public void Dispose() => _content?.Dispose();

        /// <summary>An mbox envelope line ("From sender date") is not part of the message.</summary>
        private void EndFirstLine()
        {
            var line = _firstLine.GetBuffer().AsSpan(0, (int)_firstLine.Length);
            if (line.StartsWith("From "u8) && line.IndexOf((byte)'\n') >= 0)
            {
                if (_sender is null)
                {
                    var words = Encoding.UTF8.GetString(line).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (words.Length > 1 && words[1] != "MAILER-DAEMON")
                    {
                        _sender = words[1].Trim('<', '>');
                    }
                }

                return;
            }

            Store(line);
        }

        private void Store(ReadOnlySpan<byte> data)
        {
            _written += data.Length;
            if (TooBig || _written > _maxSize)
            {
                TooBig = true;
                return;
            }

            _content!.Write(data);
        }
    }

    /// <summary>A few bytes, then a stream: the Return-Path line before the spooled message, without copying it.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixRead;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => prefix.Length + rest.Length;

        public override long Position
        {
            get => _prefixRead + (_prefixRead == prefix.Length ? rest.Position : 0);
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixRead < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixRead);
                prefix.AsSpan(_prefixRead, n).CopyTo(buffer);
                _prefixRead += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
