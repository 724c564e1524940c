using System.Buffers;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Reads a stream as lines with every CRLF turned into LF (a lone CR stays, as
/// <see cref="LineEndings.ToLf"/> does), through one fixed buffer: a line longer than half the
/// buffer comes in several segments. The first segment of a line holds the whole line or at
/// least half a buffer, enough for anything decided by how a line starts (a field name, a
/// quoted "From "), so memory stays bounded whatever the message size.
/// </summary>
internal sealed class LfLineSegments : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly Stream _input;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private bool _pendingCr;
    private bool _eof;
    private bool _atLineStart = true;

    public LfLineSegments(Stream input)
    {
        _input = input;
    }

    /// <summary>Gives the buffer back to the pool (one per message was 64 KB to clear for every APPEND).</summary>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>
    /// The next segment (valid until the next call), and whether it starts a line; false at the
    /// end of the input. A segment ending in LF ends its line.
    /// </summary>
    public bool Next(out ReadOnlySpan<byte> segment, out bool lineStart)
    {
        while (true)
        {
            int lf = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            int length = lf >= 0 ? lf + 1
                : _eof || _end - _start >= BufferSize / 2 ? _end - _start
                : -1;
            if (length > 0)
            {
                segment = _buffer.AsSpan(_start, length);
                lineStart = _atLineStart;
                _atLineStart = lf >= 0;
                _start += length;
                return true;
            }

            if (length == 0)
            {
                segment = default;
                lineStart = false;
                return false;
            }

            Fill();
        }
    }

    /// <summary>Reads more input behind what is buffered, converting CRLF to LF in place.</summary>
    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        int from = _end;
        if (_pendingCr)
        {
            _buffer[_end++] = (byte)'\r';
            _pendingCr = false;
        }

        int n = _input.Read(_buffer, _end, _buffer.Length - _end);
        if (n <= 0)
        {
            _eof = true;
            return;
        }

        int limit = _end + n;
        int o = from;
        int i = from;
        while (i < limit)
        {
            // Whole runs without CR move at once (IndexOf and the copy are vectorized).
            int cr = _buffer.AsSpan(i, limit - i).IndexOf((byte)'\r');
            int run = cr < 0 ? limit - i : cr;
            if (o != i)
            {
                _buffer.AsSpan(i, run).CopyTo(_buffer.AsSpan(o));
            }

            o += run;
            i += run;
            if (cr < 0)
            {
                break;
            }

            if (i + 1 == limit)
            {
                _pendingCr = true; // decided by the next read
                break;
            }

            if (_buffer[i + 1] != '\n')
            {
                _buffer[o++] = (byte)'\r'; // a lone CR stays
            }

            i++;
        }

        _end = o;
    }
}
