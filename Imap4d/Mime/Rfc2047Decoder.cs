using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// Decodes RFC 2047 encoded-words in a raw header value (for SEARCH). Blanks between adjacent
/// encoded-words are dropped, and adjacent words in the same charset are decoded together, so
/// a character split across two words survives. Text outside encoded-words is read as UTF-8
/// when valid, ISO-8859-1 otherwise. Never throws.
/// </summary>
public static class Rfc2047Decoder
{
    /// <summary>RFC 2047 allows 75 characters; longer words are accepted up to this length.</summary>
    public const int MaxWordLength = 1024;

    public static string Decode(string raw)
    {
        var result = new StringBuilder(raw.Length);
        var pending = new List<byte>();
        string? pendingCharset = null;
        int pos = 0;
        int textStart = 0;
        bool lastWasWord = false;
        while (pos < raw.Length)
        {
            int start = raw.IndexOf("=?", pos, StringComparison.Ordinal);
            if (start < 0)
            {
                break;
            }

            if (!TryWord(raw, start, out int end, out string charset, out byte[] bytes))
            {
                pos = start + 2;
                continue;
            }

            string between = raw[textStart..start];
            bool onlyBlanks = between.All(c => c is ' ' or '\t' or '\r' or '\n');
            if (!(lastWasWord && onlyBlanks))
            {
                Flush(result, pending, ref pendingCharset);
                result.Append(RawText.ToText(between));
            }

            if (pendingCharset is not null && !pendingCharset.Equals(charset, StringComparison.OrdinalIgnoreCase))
            {
                Flush(result, pending, ref pendingCharset);
            }

            pendingCharset = charset;
            pending.AddRange(bytes);
            lastWasWord = true;
            pos = end;
            textStart = end;
        }

        Flush(result, pending, ref pendingCharset);
        result.Append(RawText.ToText(raw[textStart..]));
        return result.ToString();
    }

    private static void Flush(StringBuilder result, List<byte> pending, ref string? charset)
    {
        if (charset is not null)
        {
            result.Append(Charsets.Decode(charset, pending.ToArray()));
        }

        pending.Clear();
        charset = null;
    }

    /// <summary>
    /// Parses "=?charset?E?text?=" at <paramref name="start"/>. Words longer than
    /// <see cref="MaxWordLength"/> are not recognised, which keeps decoding linear.
    /// </summary>
    private static bool TryWord(string s, int start, out int end, out string charset, out byte[] bytes)
    {
        end = 0;
        charset = "";
        bytes = [];
        int window = Math.Min(s.Length - start, MaxWordLength);
        int q1 = s.IndexOf('?', start + 2, window - 2);
        if (q1 < 0 || q1 + 2 >= start + window || s[q1 + 2] != '?')
        {
            return false;
        }

        charset = s[(start + 2)..q1];
        if (charset.Length == 0 || charset.Any(c => c <= ' ' || c >= 0x7f))
        {
            return false;
        }

        char enc = char.ToUpperInvariant(s[q1 + 1]);
        int textStart = q1 + 3;
        int close = s.IndexOf("?=", textStart, start + window - textStart, StringComparison.Ordinal);
        if (close < 0 || (enc != 'B' && enc != 'Q'))
        {
            return false;
        }

        string text = s[textStart..close];
        if (text.Any(c => c is ' ' or '\t' or '\r' or '\n'))
        {
            return false;
        }

        bytes = enc == 'B' ? DecodeBase64(text) : DecodeQ(text);
        end = close + 2;
        return true;
    }

    private static byte[] DecodeQ(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '_')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < text.Length && HeaderParser.Hex(text[i + 1]) >= 0 && HeaderParser.Hex(text[i + 2]) >= 0)
            {
                bytes.Add((byte)((HeaderParser.Hex(text[i + 1]) << 4) | HeaderParser.Hex(text[i + 2])));
                i += 2;
            }
            else
            {
                bytes.Add((byte)c);
            }
        }

        return bytes.ToArray();
    }

    private static byte[] DecodeBase64(string text)
    {
        var decoder = new Base64Decoder();
        var input = Encoding.Latin1.GetBytes(text);
        var output = new byte[input.Length];
        int n = decoder.Decode(input, output);
        return output.AsSpan(0, n).ToArray();
    }
}
