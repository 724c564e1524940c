using System.Buffers;

namespace Imap4d.IO;

/// <summary>
/// Reads a Unix mail file (maildir, MH) as the client sees it: every bare LF becomes CRLF
/// (as <see cref="Storage.LineEndings.ToCrlf"/>). Forward-only; <see cref="Length"/> is the
/// converted size given by the caller (see <see cref="MeasureCrlf"/>). The file is read in
/// large blocks into a pooled buffer and converted straight into the reader's buffer, one
/// vectorised line search and one copy per line: no per-message buffers, no second copy.
/// </summary>
public sealed class LfToCrlfStream : Stream
{
    private const int BlockSize = 32 * 1024;

    private readonly Stream _inner;
    private readonly long _length;
    private byte[]? _in = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _inStart;
    private int _inEnd;
    private bool _lastWasCr;
    private bool _pendingLf;
    private bool _eof;
    private long _position;

    public LfToCrlfStream(Stream inner, long length)
    {
        _inner = inner;
        _length = length;
    }

    /// <summary>The size of <paramref name="stream"/>'s bytes once converted (reads it to the end).</summary>
    public static long MeasureCrlf(Stream stream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long size = 0;
            bool lastWasCr = false;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                int bareLf = span.Count((byte)'\n') - span.Count("\r\n"u8);
                if (lastWasCr && span[0] == '\n')
                {
                    bareLf--;
                }

                size += read + bareLf;
                lastWasCr = span[^1] == '\r';
            }

            return size;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_in is null, this);
        int written = 0;
        if (_pendingLf && buffer.Length > 0)
        {
            buffer[written++] = (byte)'\n';
            _pendingLf = false;
        }

        while (written < buffer.Length)
        {
            if (_inStart == _inEnd && !Fill())
            {
                break;
            }

            written += Convert(buffer[written..]);
        }

        _position += written;
        return written;
    }

    /// <summary>Converts buffered input into <paramref name="target"/> until one of them is used up; returns the bytes written.</summary>
    private int Convert(Span<byte> target)
    {
        var input = _in.AsSpan(_inStart, _inEnd - _inStart);
        int read = 0;
        int written = 0;
        while (read < input.Length && written < target.Length)
        {
            var rest = input[read..];
            int lf = rest.IndexOf((byte)'\n');
            int run = lf < 0 ? rest.Length : lf;
            int copy = Math.Min(run, target.Length - written);
            if (copy > 0)
            {
                rest[..copy].CopyTo(target[written..]);
                written += copy;
                read += copy;
                _lastWasCr = rest[copy - 1] == '\r';
            }

            if (copy < run || lf < 0 || written == target.Length)
            {
                continue; // target full, or no line end in the buffered input
            }

            // At an LF: a CR first unless the stored byte before it is one.
            read++;
            if (!_lastWasCr)
            {
                target[written++] = (byte)'\r';
                if (written == target.Length)
                {
                    _pendingLf = true;
                    break;
                }
            }

            target[written++] = (byte)'\n';
            _lastWasCr = false;
        }

        _inStart += read;
        return written;
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }

        int read = _inner.Read(_in!, 0, BlockSize);
        if (read <= 0)
        {
            _eof = true;
            return false;
        }

        _inStart = 0;
        _inEnd = read;
        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            if (_in is { } buffer)
            {
                _in = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        base.Dispose(disposing);
    }
}
