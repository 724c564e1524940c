namespace Imap4d.Lmtp;

/// <summary>
/// Reads an LMTP stream in lines of bounded length: a longer line comes back in pieces (the
/// first marked as the start of a line), so that neither a command nor a message line can make
/// the server hold more than <c>maxLine</c> bytes. Before it waits for more input it calls
/// <c>beforeWait</c>, which flushes the replies (PIPELINING: replies to a batch go out together).
/// </summary>
public sealed class LmtpLineReader
{
    private readonly Stream _input;
    private readonly Func<Task> _beforeWait;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    public LmtpLineReader(Stream input, int maxLine, Func<Task> beforeWait)
    {
        _input = input;
        _beforeWait = beforeWait;
        _buffer = new byte[maxLine];
    }

    /// <summary>
    /// The next line or piece of a line, LF included when it ends the line; empty at end of input.
    /// Valid until the next call.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken ct)
    {
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = _buffer.AsMemory(_start, lf + 1 - _start);
                _start = lf + 1;
                return line;
            }

            if (_start == 0 && _end == _buffer.Length)
            {
                // A full buffer without LF: hand it out as a piece.
                _start = _end;
                return _buffer.AsMemory();
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            await _beforeWait().ConfigureAwait(false);
            int n = await _input.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (n == 0)
            {
                var rest = _buffer.AsMemory(0, _end);
                _start = _end = 0;
                return rest;
            }

            _end += n;
        }
    }

    /// <summary>Whether the buffer still holds unread input (replies need not be flushed yet).</summary>
    public bool HasBufferedInput => _end > _start;
}
