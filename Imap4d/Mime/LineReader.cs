namespace Imap4d.Mime;

/// <summary>
/// Reads a stream line by line through a fixed buffer. Only a bounded prefix of each line is
/// kept, so a line of any length costs no more memory than the buffer. A line ends at LF; a CR
/// right before the LF belongs to the terminator. Offsets count the bytes as given.
/// </summary>
internal sealed class LineReader
{
    private readonly Stream _input;
    private readonly byte[] _buffer;
    private int _pos;
    private int _len;
    private bool _eof;

    public LineReader(Stream input, int bufferSize = 64 * 1024)
        : this(input, new byte[bufferSize])
    {
    }

    /// <summary>Reads through <paramref name="buffer"/>, which the caller lends for the reader's lifetime.</summary>
    public LineReader(Stream input, byte[] buffer)
    {
        _input = input;
        _buffer = buffer;
    }

    /// <summary>Offset of the next unread byte.</summary>
    public long Position { get; private set; }

    /// <summary>Length of the terminator (0, 1 or 2) of the line read last.</summary>
    public int LastTerminator { get; private set; }

    /// <summary>Number of LF bytes read so far.</summary>
    public long LineFeeds { get; private set; }

    /// <summary>
    /// Reads one line. Up to <paramref name="keep"/>.Length bytes of its content (terminator
    /// excluded) are copied into <paramref name="keep"/>.
    /// </summary>
    /// <returns>False at the end of the stream when no byte was left.</returns>
    public bool ReadLine(byte[] keep, out LineInfo line)
    {
        long start = Position;
        long contentLength = 0;
        int kept = 0;
        bool lastWasCr = false;
        bool any = false;
        while (true)
        {
            if (_pos >= _len && !Fill())
            {
                // End of stream without LF.
                LastTerminator = 0;
                line = new LineInfo(start, contentLength, kept, 0);
                return any;
            }

            any = true;
            var span = _buffer.AsSpan(_pos, _len - _pos);
            int lf = span.IndexOf((byte)'\n');
            int take = lf < 0 ? span.Length : lf;
            if (take > 0)
            {
                int copy = Math.Min(take, keep.Length - kept);
                if (copy > 0)
                {
                    span[..copy].CopyTo(keep.AsSpan(kept));
                    kept += copy;
                }

                lastWasCr = span[take - 1] == '\r';
                contentLength += take;
            }

            _pos += take;
            Position += take;
            if (lf < 0)
            {
                continue;
            }

            _pos++;
            Position++;
            LineFeeds++;
            int term = 1;
            if (lastWasCr)
            {
                term = 2;
                contentLength--;
                if (kept > contentLength)
                {
                    kept = (int)contentLength;
                }
            }

            LastTerminator = term;
            line = new LineInfo(start, contentLength, kept, term);
            return true;
        }
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }

        _pos = 0;
        _len = 0;
        while (_len == 0)
        {
            int n = _input.Read(_buffer, 0, _buffer.Length);
            if (n <= 0)
            {
                _eof = true;
                return false;
            }

            _len = n;
        }

        return true;
    }
}
