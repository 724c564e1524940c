namespace Imap4d.Mime;

/// <summary>One header field as it appears in the message.</summary>
/// <param name="Name">The field name (bytes before the colon, trailing blanks removed), raw.</param>
/// <param name="Raw">The whole field as given: name, colon, value, folding and the final line terminator.</param>
/// <param name="ValueStart">Offset in <paramref name="Raw"/> where the value starts (after the colon).</param>
/// <param name="HasColon">False for a broken line without a colon (its text is the name).</param>
public sealed record HeaderField(string Name, byte[] Raw, int ValueStart, bool HasColon)
{
    /// <summary>The value bytes after the colon, folding and terminators included.</summary>
    public ReadOnlySpan<byte> RawValue => Raw.AsSpan(ValueStart);

    /// <summary>
    /// The value unfolded (CR and LF removed, RFC 2822 §2.2.3), leading blanks removed, as a raw
    /// string (one char per byte).
    /// </summary>
    public string Value
    {
        get
        {
            var v = RawValue;
            var chars = new char[v.Length];
            int n = 0;
            foreach (byte b in v)
            {
                if (b == '\r' || b == '\n' || (n == 0 && (b == ' ' || b == '\t')))
                {
                    continue;
                }

                chars[n++] = (char)b;
            }

            return new string(chars, 0, n);
        }
    }
}
