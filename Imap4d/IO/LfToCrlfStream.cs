namespace Imap4d.IO;

/// <summary>
/// Reads a Unix mail file (maildir, MH) as the client sees it: every bare LF becomes CRLF
/// (as <see cref="Storage.LineEndings.ToCrlf"/>), streamed through a small buffer. Forward-only;
/// <see cref="Length"/> is the converted size given by the caller (see <see cref="MeasureCrlf"/>).
/// </summary>
public sealed class LfToCrlfStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _in = new byte[16 * 1024];
    private readonly byte[] _out = new byte[32 * 1024];
    private readonly long _length;
    private int _outStart;
    private int _outEnd;
    private bool _lastWasCr;
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
        var buffer = new byte[64 * 1024];
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
        if (buffer.Length == 0)
        {
            return 0;
        }

        if (_outStart == _outEnd && !Fill())
        {
            return 0;
        }

        int n = Math.Min(buffer.Length, _outEnd - _outStart);
        _out.AsSpan(_outStart, n).CopyTo(buffer);
        _outStart += n;
        _position += n;
        return n;
    }

    private bool Fill()
    {
        while (!_eof)
        {
            int read = _inner.Read(_in, 0, _in.Length);
            if (read == 0)
            {
                _eof = true;
                break;
            }

            int j = 0;
            for (int i = 0; i < read; i++)
            {
                byte b = _in[i];
                if (b == '\n' && !_lastWasCr)
                {
                    _out[j++] = (byte)'\r';
                }

                _out[j++] = b;
                _lastWasCr = b == '\r';
            }

            _outStart = 0;
            _outEnd = j;
            return true;
        }

        return false;
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
        }

        base.Dispose(disposing);
    }
}
