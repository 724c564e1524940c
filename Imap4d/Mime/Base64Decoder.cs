namespace Imap4d.Mime;

/// <summary>
/// An incremental, lenient base64 decoder: characters outside the alphabet are skipped, "="
/// ends a quantum early, and decoding continues after it. State carries across calls.
/// </summary>
public sealed class Base64Decoder
{
    private int _bits;
    private int _count;

    /// <summary>Decodes <paramref name="input"/>; <paramref name="output"/> needs input.Length * 3 / 4 + 3 bytes at most.</summary>
    /// <returns>Bytes written.</returns>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int o = 0;
        foreach (byte b in input)
        {
            int v = b switch
            {
                >= (byte)'A' and <= (byte)'Z' => b - 'A',
                >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
                >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
                (byte)'+' => 62,
                (byte)'/' => 63,
                (byte)'=' => -2,
                _ => -1,
            };
            if (v == -1)
            {
                continue;
            }

            if (v == -2)
            {
                // Padding: whatever full bytes are pending were already written.
                _bits = 0;
                _count = 0;
                continue;
            }

            _bits = (_bits << 6) | v;
            _count++;
            if (_count >= 2)
            {
                if (_count == 2)
                {
                    output[o++] = (byte)(_bits >> 4);
                    _bits &= 0xF;
                }
                else if (_count == 3)
                {
                    output[o++] = (byte)(_bits >> 2);
                    _bits &= 0x3;
                }
                else
                {
                    output[o++] = (byte)_bits;
                    _bits = 0;
                    _count = 0;
                }

            }
        }

        return o;
    }
}
