namespace Imap4d.Mime;

/// <summary>
/// An incremental, lenient quoted-printable decoder: "=XX" becomes a byte, "=" before a line
/// break is a soft break, any other "=" is kept. State carries across calls.
/// </summary>
public sealed class QuotedPrintableDecoder
{
    private readonly byte[] _pending = new byte[3];
    private int _pendingLength;

    /// <summary>Decodes <paramref name="input"/>; <paramref name="output"/> needs input.Length + 3 bytes at most.</summary>
    /// <returns>Bytes written.</returns>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output, bool final = false)
    {
        int o = 0;
        foreach (byte b in input)
        {
            if (_pendingLength == 0)
            {
                if (b == '=')
                {
                    _pending[_pendingLength++] = b;
                }
                else
                {
                    output[o++] = b;
                }

                continue;
            }

            _pending[_pendingLength++] = b;
            if (_pendingLength == 2)
            {
                if (b == '\n')
                {
                    _pendingLength = 0; // soft break "=\n"
                }
                else if (b != '\r' && HeaderParser.Hex((char)b) < 0)
                {
                    o += FlushPending(output[o..]);
                }

                continue;
            }

            // Three bytes: "=\r\n", "=XX" or garbage.
            if (_pending[1] == '\r' && b == '\n')
            {
                _pendingLength = 0;
            }
            else if (HeaderParser.Hex((char)_pending[1]) >= 0 && HeaderParser.Hex((char)b) >= 0)
            {
                output[o++] = (byte)((HeaderParser.Hex((char)_pending[1]) << 4) | HeaderParser.Hex((char)b));
                _pendingLength = 0;
            }
            else
            {
                o += FlushPending(output[o..]);
            }
        }

        if (final)
        {
            o += FlushPending(output[o..]);
        }

        return o;
    }

    private int FlushPending(Span<byte> output)
    {
        int n = _pendingLength;
        _pending.AsSpan(0, n).CopyTo(output);
        _pendingLength = 0;
        if (n > 1 && _pending[n - 1] == '=')
        {
            // "==": the last '=' may start a new escape.
            _pending[0] = (byte)'=';
            _pendingLength = 1;
            return n - 1;
        }

        return n;
    }
}
