namespace Imap4d.Mime;

/// <summary>
/// An incremental, lenient quoted-printable decoder (RFC 2045 §6.7): "=XX" becomes a byte, "="
/// before a line break is a soft break (also with blanks between them, the transport padding
/// rule 3 speaks of), blanks at the end of a line are deleted, and any other "=" is kept. State
/// carries across calls; a run of more than <see cref="MaxHeldBlanks"/> blanks is not held back.
/// </summary>
public sealed class QuotedPrintableDecoder
{
    /// <summary>The longest run of blanks held back to learn whether it ends its line.</summary>
    public const int MaxHeldBlanks = 64;

    /// <summary>Bytes one call may write beyond its input's length (what earlier calls held back).</summary>
    public const int MaxCarry = 2 * MaxHeldBlanks + 2;

    private readonly byte[] _blanks = new byte[MaxHeldBlanks];
    private readonly byte[] _padding = new byte[MaxHeldBlanks];
    private int _blanksLength;
    private int _paddingLength;
    private byte _firstHex;
    private State _state;

    private enum State
    {
        /// <summary>In text; <see cref="_blanks"/> holds the blanks seen since the last other byte.</summary>
        Text,

        /// <summary>After a CR in text, the blanks before it still held.</summary>
        TextCr,

        /// <summary>After "=".</summary>
        Equals,

        /// <summary>After "=" and one hex digit.</summary>
        EqualsHex,

        /// <summary>After "=" and blanks (<see cref="_padding"/>): a soft break if the line ends here.</summary>
        EqualsBlanks,

        /// <summary>After "=", maybe blanks, and a CR.</summary>
        EqualsCr,
    }

    /// <summary>Decodes <paramref name="input"/>; <paramref name="output"/> needs input.Length + <see cref="MaxCarry"/> bytes.</summary>
    /// <returns>Bytes written.</returns>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output, bool final = false)
    {
        int o = 0;
        foreach (byte b in input)
        {
            Step(b, output, ref o);
        }

        if (final)
        {
            Finish(output, ref o);
        }

        return o;
    }

    private void Step(byte b, Span<byte> output, ref int o)
    {
        switch (_state)
        {
            case State.Text:
                if (b is (byte)' ' or (byte)'\t')
                {
                    if (_blanksLength == MaxHeldBlanks)
                    {
                        EmitBlanks(output, ref o);
                    }

                    _blanks[_blanksLength++] = b;
                }
                else if (b == '=')
                {
                    _state = State.Equals;
                }
                else if (b == '\r')
                {
                    _state = State.TextCr;
                }
                else if (b == '\n')
                {
                    _blanksLength = 0; // blanks at the end of a line were added in transport
                    output[o++] = b;
                }
                else
                {
                    EmitBlanks(output, ref o);
                    output[o++] = b;
                }

                return;

            case State.TextCr:
                _state = State.Text;
                if (b == '\n')
                {
                    _blanksLength = 0;
                    output[o++] = (byte)'\r';
                    output[o++] = b;
                    return;
                }

                EmitBlanks(output, ref o);
                output[o++] = (byte)'\r';
                Step(b, output, ref o);
                return;

            case State.Equals:
                if (HeaderParser.Hex((char)b) >= 0)
                {
                    _firstHex = b;
                    _state = State.EqualsHex;
                }
                else if (b is (byte)' ' or (byte)'\t')
                {
                    _padding[_paddingLength++] = b;
                    _state = State.EqualsBlanks;
                }
                else if (b == '\r')
                {
                    _state = State.EqualsCr;
                }
                else if (b == '\n')
                {
                    SoftBreak(output, ref o);
                }
                else
                {
                    EmitEquals(output, ref o);
                    Step(b, output, ref o);
                }

                return;

            case State.EqualsHex:
                if (HeaderParser.Hex((char)b) >= 0)
                {
                    EmitBlanks(output, ref o);
                    output[o++] = (byte)((HeaderParser.Hex((char)_firstHex) << 4) | HeaderParser.Hex((char)b));
                    _state = State.Text;
                    return;
                }

                EmitEquals(output, ref o);
                output[o++] = _firstHex;
                Step(b, output, ref o);
                return;

            case State.EqualsBlanks:
                if (b is (byte)' ' or (byte)'\t' && _paddingLength < MaxHeldBlanks)
                {
                    _padding[_paddingLength++] = b;
                }
                else if (b == '\r')
                {
                    _state = State.EqualsCr;
                }
                else if (b == '\n')
                {
                    SoftBreak(output, ref o);
                }
                else
                {
                    EmitEquals(output, ref o);
                    Step(b, output, ref o);
                }

                return;

            case State.EqualsCr:
                if (b == '\n')
                {
                    SoftBreak(output, ref o);
                    return;
                }

                EmitEquals(output, ref o);
                output[o++] = (byte)'\r';
                Step(b, output, ref o);
                return;
        }
    }

    /// <summary>End of input: blanks ending the last line go; an unfinished "=" sequence is kept as written.</summary>
    private void Finish(Span<byte> output, ref int o)
    {
        switch (_state)
        {
            case State.TextCr:
                _blanksLength = 0;
                output[o++] = (byte)'\r';
                break;
            case State.Equals:
            case State.EqualsBlanks:
                EmitEquals(output, ref o);
                break;
            case State.EqualsHex:
                EmitEquals(output, ref o);
                output[o++] = _firstHex;
                break;
            case State.EqualsCr:
                EmitEquals(output, ref o);
                output[o++] = (byte)'\r';
                break;
        }

        _blanksLength = 0;
        _state = State.Text;
    }

    /// <summary>"=" then the end of the line: the line continues, and the blanks before the "=" are text.</summary>
    private void SoftBreak(Span<byte> output, ref int o)
    {
        EmitBlanks(output, ref o);
        _paddingLength = 0;
        _state = State.Text;
    }

    /// <summary>An "=" that starts no escape and no soft break is kept, with the blanks around it.</summary>
    private void EmitEquals(Span<byte> output, ref int o)
    {
        EmitBlanks(output, ref o);
        output[o++] = (byte)'=';
        _padding.AsSpan(0, _paddingLength).CopyTo(output[o..]);
        o += _paddingLength;
        _paddingLength = 0;
        _state = State.Text;
    }

    private void EmitBlanks(Span<byte> output, ref int o)
    {
        _blanks.AsSpan(0, _blanksLength).CopyTo(output[o..]);
        o += _blanksLength;
        _blanksLength = 0;
    }
}
