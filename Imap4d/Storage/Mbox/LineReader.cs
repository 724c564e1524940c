using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Reads a file region line by line through one large buffer (grown only for longer lines).
/// Each line includes its LF; the last one may lack it.
/// </summary>
internal sealed class LineReader
{
    private readonly SafeFileHandle _file;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferOffset; // file offset of _buffer[0]
    private int _head;
    private int _tail;
    private int _scanFrom;
    private long _next; // next file offset to read

    private const int MinBuffer = 4 * 1024;
    private const int MaxBuffer = 1 << 20;

    public LineReader(SafeFileHandle file, long start, long end)
    {
        _file = file;
        _end = end;
        // Sized to the region: parsing the one message an APPEND added must not cost a 1 MB
        // (large object heap) buffer; a whole mailbox is read through 1 MB.
        _buffer = new byte[(int)Math.Clamp(end - start, MinBuffer, MaxBuffer)];
        _bufferOffset = start;
        _next = start;
    }

    public byte[] Buffer => _buffer;

    /// <summary>The next line: its file offset and its place in <see cref="Buffer"/>.</summary>
    public bool Next(out long offset, out int start, out int length)
    {
        while (true)
        {
            int lf = _buffer.AsSpan(_scanFrom, _tail - _scanFrom).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                start = _head;
                length = _scanFrom + lf + 1 - _head;
                offset = _bufferOffset + _head;
                _head += length;
                _scanFrom = _head;
                return true;
            }

            _scanFrom = _tail;
            if (_next >= _end)
            {
                if (_head < _tail)
                {
                    start = _head;
                    length = _tail - _head;
                    offset = _bufferOffset + _head;
                    _head = _tail;
                    return true;
                }

                offset = _end;
                start = length = 0;
                return false;
            }

            Fill();
        }
    }

    private void Fill()
    {
        int pending = _tail - _head;
        if (_head > 0)
        {
            System.Buffer.BlockCopy(_buffer, _head, _buffer, 0, pending);
            _bufferOffset += _head;
            _scanFrom -= _head;
            _head = 0;
            _tail = pending;
        }

        if (_tail == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int want = (int)Math.Min(_buffer.Length - _tail, _end - _next);
        int read = RandomAccess.Read(_file, _buffer.AsSpan(_tail, want), _next);
        if (read <= 0)
        {
            _next = _end; // the file shrank under us: stop here
            return;
        }

        _tail += read;
        _next += read;
    }
}
