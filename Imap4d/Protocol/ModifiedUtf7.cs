using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself
/// except "&amp;" ("&amp;-"); other characters are UTF-16 in modified base64 between "&amp;" and "-".
/// </summary>
public static class ModifiedUtf7
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    public static string Encode(string text)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c >= 0x20 && c <= 0x7e)
            {
                sb.Append(c == '&' ? "&-" : c.ToString());
                i++;
                continue;
            }

            int start = i;
            while (i < text.Length && (text[i] < 0x20 || text[i] > 0x7e))
            {
                i++;
            }

            sb.Append('&');
            AppendBase64(sb, text.AsSpan(start, i - start));
            sb.Append('-');
        }

        return sb.ToString();
    }

    /// <summary>
    /// True when <paramref name="name"/> is modified UTF-7 as RFC 3501 §5.1.3 defines it: printable
    /// ASCII, "&amp;" only as "&amp;-" or a closed, minimal, zero-padded base64 run of non-ASCII UTF-16.
    /// </summary>
    public static bool IsValid(string name) => TryDecode(name, out _);

    /// <summary>Decodes a name; false when it is not valid modified UTF-7.</summary>
    public static bool TryDecode(string encoded, out string text)
    {
        var sb = new StringBuilder();
        text = encoded;
        int i = 0;
        while (i < encoded.Length)
        {
            char c = encoded[i];
            if (c < 0x20 || c > 0x7e)
            {
                return false;
            }

            if (c != '&')
            {
                sb.Append(c);
                i++;
                continue;
            }

            int end = encoded.IndexOf('-', i + 1);
            if (end < 0)
            {
                return false;
            }

            if (end == i + 1)
            {
                sb.Append('&');
            }
            else if (!TryDecodeBase64(encoded.AsSpan(i + 1, end - i - 1), sb))
            {
                return false;
            }
            else if (end + 2 < encoded.Length && encoded[end + 1] == '&' && encoded[end + 2] != '-')
            {
                // Two shifted runs in a row are one run written twice: not the minimal encoding.
                return false;
            }

            i = end + 1;
        }

        text = sb.ToString();
        return true;
    }

    private static void AppendBase64(StringBuilder sb, ReadOnlySpan<char> chars)
    {
        int bits = 0;
        int buffer = 0;
        foreach (char ch in chars)
        {
            buffer = (buffer << 16) | ch;
            bits += 16;
            while (bits >= 6)
            {
                bits -= 6;
                sb.Append(Alphabet[(buffer >> bits) & 0x3f]);
            }
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (6 - bits)) & 0x3f]);
        }
    }

    private static bool TryDecodeBase64(ReadOnlySpan<char> encoded, StringBuilder sb)
    {
        int bits = 0;
        int buffer = 0;
        var units = new StringBuilder();
        foreach (char ch in encoded)
        {
            int v = Alphabet.IndexOf(ch);
            if (v < 0)
            {
                return false;
            }

            buffer = ((buffer << 6) | v) & 0xffffff;
            bits += 6;
            if (bits >= 16)
            {
                bits -= 16;
                units.Append((char)((buffer >> bits) & 0xffff));
            }
        }

        // Leftover bits must be zero padding (fewer than 6 of them... up to 14 allowed) and carry no data.
        if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || units.Length == 0)
        {
            return false;
        }

        string s = units.ToString();
        // A shifted run must not encode printable ASCII, and surrogates must pair up.
        foreach (char ch in s)
        {
            if (ch >= 0x20 && ch <= 0x7e)
            {
                return false;
            }
        }

        try
        {
            _ = new UTF8Encoding(false, true).GetBytes(s);
        }
        catch (EncoderFallbackException)
        {
            return false;
        }

        sb.Append(s);
        return true;
    }
}
