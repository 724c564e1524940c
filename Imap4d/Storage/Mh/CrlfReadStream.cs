namespace Imap4d.Storage.Mh;

/// <summary>
/// Reads a Unix (LF) file as the client sees it: every LF not already preceded by CR is sent as
/// CRLF, converted on the fly so a large message is never held in memory. <see cref="Length"/> is
/// the converted size, known in advance (the index keeps it).
/// </summary>
internal sealed class CrlfReadStream(Stream inner, long length) : Stream
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _previousWasCr;
    private bool _pendingLf;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>The size of <paramref name="stream"/> once converted (reads it to the end).</summary>
    public static long MeasureCrlf(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        long size = 0;
        bool previousWasCr = false;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            size += n;
            for (int i = 0; i < n; i++)
            {
                byte b = buffer[i];
                if (b == '\n' && !previousWasCr)
                {
                    size++;
                }

                previousWasCr = b == '\r';
            }
        }

        return size;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        int written = 0;
        while (written < destination.Length)
        {
            if (_pendingLf)
            {
                destination[written++] = (byte)'\n';
                _pendingLf = false;
                _previousWasCr = false;
                continue;
            }

            if (_start == _end)
            {
                if (written > 0)
                {
                    break;
                }

                _end = inner.Read(_buffer, 0, _buffer.Length);
                _start = 0;
                if (_end == 0)
                {
                    break;
                }
            }

            byte b = _buffer[_start++];
            if (b == '\n' && !_previousWasCr)
            {
                destination[written++] = (byte)'\r';
                _pendingLf = true;
                continue;
            }

            destination[written++] = b;
            _previousWasCr = b == '\r';
        }

        _position += written;
        return written;
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
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
