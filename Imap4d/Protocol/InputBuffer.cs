namespace Imap4d.Protocol;

/// <summary>
/// Buffered byte input for the command reader: whole lines up to a bound, exact byte counts
/// for literals, and discarding without holding what is discarded.
/// </summary>
public sealed class InputBuffer
{
    /// <summary>How much of the start and end of an overlong line is kept (for its tag and a literal marker).</summary>
    private const int HeadSize = 64;
    private const int TailSize = 32;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public InputBuffer(Stream stream, int initialSize = 16 * 1024)
    {
        _stream = stream;
        _buffer = new byte[initialSize];
    }

    /// <summary>True when bytes are already buffered (the client pipelined), so a read will not block.</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>The bytes read from the stream and not consumed yet (valid until the next read).</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>
    /// Reads one line. The result excludes the LF and a CR before it; it stays valid until
    /// the next call. A line longer than <paramref name="maxLength"/> is consumed to its end
    /// without being kept; <see cref="LineResult.TooLong"/> is then set and <see cref="LineResult.Tail"/>
    /// holds its last bytes (enough to see a trailing literal marker), <see cref="LineResult.Head"/> its first.
    /// Returns null at end of stream (a partial last line is dropped).
    /// </summary>
    public async ValueTask<LineResult?> ReadLineAsync(int maxLength, CancellationToken ct)
    {
        int scanFrom = _start;
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (lf >= 0)
            {
                int lineStart = _start;
                int lineEnd = lf > lineStart && _buffer[lf - 1] == '\r' ? lf - 1 : lf;
                _start = lf + 1;
                if (lineEnd - lineStart > maxLength)
                {
                    var whole = _buffer.AsSpan(lineStart, lineEnd - lineStart);
                    return LineResult.Overlong(whole[..Math.Min(HeadSize, whole.Length)], whole[^Math.Min(TailSize, whole.Length)..]);
                }

                return new LineResult(new ReadOnlyMemory<byte>(_buffer, lineStart, lineEnd - lineStart), false);
            }

            if (_end - _start > maxLength + 1)
            {
                return await DiscardLineAsync(ct).ConfigureAwait(false);
            }

            scanFrom = _end;
            int consumedBefore = _start;
            if (!await FillAsync(maxLength + 2, ct).ConfigureAwait(false))
            {
                return null;
            }

            scanFrom -= consumedBefore - _start;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes into <paramref name="destination"/>.</summary>
    public async ValueTask CopyExactlyAsync(Stream destination, long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_end == _start && !await FillAsync(1, ct).ConfigureAwait(false))
            {
                throw new EndOfStreamException();
            }

            int n = (int)Math.Min(count, _end - _start);
            destination.Write(_buffer, _start, n);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Reads exactly <paramref name="destination"/>.Length bytes.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
    {
        while (!destination.IsEmpty)
        {
            if (_end == _start && !await FillAsync(1, ct).ConfigureAwait(false))
            {
                throw new EndOfStreamException();
            }

            int n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            destination = destination[n..];
        }
    }

    /// <summary>Consumes and drops <paramref name="count"/> bytes.</summary>
    public async ValueTask SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_end == _start && !await FillAsync(1, ct).ConfigureAwait(false))
            {
                throw new EndOfStreamException();
            }

            int n = (int)Math.Min(count, _end - _start);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Waits until at least one byte is buffered; false at end of stream.</summary>
    public async ValueTask<bool> WaitForDataAsync(CancellationToken ct) =>
        _end > _start || await FillAsync(1, ct).ConfigureAwait(false);

    private async ValueTask<LineResult?> DiscardLineAsync(CancellationToken ct)
    {
        var head = _buffer.AsSpan(_start, Math.Min(HeadSize, _end - _start)).ToArray();
        var tail = new byte[TailSize];
        int tailLength = 0;
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = lf >= 0 ? lf : _end;
            KeepTail(_buffer.AsSpan(_start, stop - _start), tail, ref tailLength);
            if (lf >= 0)
            {
                _start = lf + 1;
                var kept = tail.AsSpan(0, tailLength);
                if (kept.Length > 0 && kept[^1] == '\r')
                {
                    kept = kept[..^1];
                }

                return LineResult.Overlong(head, kept);
            }

            _start = _end = 0;
            if (!await FillAsync(1, ct).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    private static void KeepTail(ReadOnlySpan<byte> chunk, byte[] tail, ref int tailLength)
    {
        if (chunk.Length >= tail.Length)
        {
            chunk[^tail.Length..].CopyTo(tail);
            tailLength = tail.Length;
            return;
        }

        int keep = Math.Min(tailLength, tail.Length - chunk.Length);
        tail.AsSpan(tailLength - keep, keep).CopyTo(tail);
        chunk.CopyTo(tail.AsSpan(keep));
        tailLength = keep + chunk.Length;
    }

    /// <summary>Reads more bytes, first compacting and growing up to <paramref name="wanted"/> bytes of room.</summary>
    private async ValueTask<bool> FillAsync(int wanted, CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= wanted)
            {
                return true;
            }

            Array.Resize(ref _buffer, Math.Min(wanted, _buffer.Length * 2));
        }

        int n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (n <= 0)
        {
            return false;
        }

        _end += n;
        return true;
    }
}

/// <summary>
/// One input line. When it was too long to keep, <see cref="Line"/> holds only its last bytes
/// and <see cref="Head"/> its first ones.
/// </summary>
public sealed record LineResult(ReadOnlyMemory<byte> Line, bool TooLong, ReadOnlyMemory<byte> Head = default)
{
    public static LineResult Overlong(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail) => new(tail.ToArray(), true, head.ToArray());
}
