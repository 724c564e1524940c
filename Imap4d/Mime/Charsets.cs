using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// Charset decoding without System.Text.Encoding.CodePages: the encodings built into .NET
/// (UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-32) plus small tables for windows-1252,
/// ISO-8859-15 and KOI8-R. Unknown charsets fall back to UTF-8 when valid, else ISO-8859-1.
/// </summary>
public static class Charsets
{
    private const string Windows1252High =
        "\u20AC\uFFFD\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\uFFFD\u017D\uFFFD" +
        "\uFFFD\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\uFFFD\u017E\u0178" +
        "\u00A0\u00A1\u00A2\u00A3\u00A4\u00A5\u00A6\u00A7\u00A8\u00A9\u00AA\u00AB\u00AC\u00AD\u00AE\u00AF" +
        "\u00B0\u00B1\u00B2\u00B3\u00B4\u00B5\u00B6\u00B7\u00B8\u00B9\u00BA\u00BB\u00BC\u00BD\u00BE\u00BF" +
        "\u00C0\u00C1\u00C2\u00C3\u00C4\u00C5\u00C6\u00C7\u00C8\u00C9\u00CA\u00CB\u00CC\u00CD\u00CE\u00CF" +
        "\u00D0\u00D1\u00D2\u00D3\u00D4\u00D5\u00D6\u00D7\u00D8\u00D9\u00DA\u00DB\u00DC\u00DD\u00DE\u00DF" +
        "\u00E0\u00E1\u00E2\u00E3\u00E4\u00E5\u00E6\u00E7\u00E8\u00E9\u00EA\u00EB\u00EC\u00ED\u00EE\u00EF" +
        "\u00F0\u00F1\u00F2\u00F3\u00F4\u00F5\u00F6\u00F7\u00F8\u00F9\u00FA\u00FB\u00FC\u00FD\u00FE\u00FF";

    private const string Iso885915High =
        "\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F" +
        "\u00A0\u00A1\u00A2\u00A3\u20AC\u00A5\u0160\u00A7\u0161\u00A9\u00AA\u00AB\u00AC\u00AD\u00AE\u00AF" +
        "\u00B0\u00B1\u00B2\u00B3\u017D\u00B5\u00B6\u00B7\u017E\u00B9\u00BA\u00BB\u0152\u0153\u0178\u00BF" +
        "\u00C0\u00C1\u00C2\u00C3\u00C4\u00C5\u00C6\u00C7\u00C8\u00C9\u00CA\u00CB\u00CC\u00CD\u00CE\u00CF" +
        "\u00D0\u00D1\u00D2\u00D3\u00D4\u00D5\u00D6\u00D7\u00D8\u00D9\u00DA\u00DB\u00DC\u00DD\u00DE\u00DF" +
        "\u00E0\u00E1\u00E2\u00E3\u00E4\u00E5\u00E6\u00E7\u00E8\u00E9\u00EA\u00EB\u00EC\u00ED\u00EE\u00EF" +
        "\u00F0\u00F1\u00F2\u00F3\u00F4\u00F5\u00F6\u00F7\u00F8\u00F9\u00FA\u00FB\u00FC\u00FD\u00FE\u00FF";

    private const string Koi8RHigh =
        "\u2500\u2502\u250C\u2510\u2514\u2518\u251C\u2524\u252C\u2534\u253C\u2580\u2584\u2588\u258C\u2590" +
        "\u2591\u2592\u2593\u2320\u25A0\u2219\u221A\u2248\u2264\u2265\u00A0\u2321\u00B0\u00B2\u00B7\u00F7" +
        "\u2550\u2551\u2552\u0451\u2553\u2554\u2555\u2556\u2557\u2558\u2559\u255A\u255B\u255C\u255D\u255E" +
        "\u255F\u2560\u2561\u0401\u2562\u2563\u2564\u2565\u2566\u2567\u2568\u2569\u256A\u256B\u256C\u00A9" +
        "\u044E\u0430\u0431\u0446\u0434\u0435\u0444\u0433\u0445\u0438\u0439\u043A\u043B\u043C\u043D\u043E" +
        "\u043F\u044F\u0440\u0441\u0442\u0443\u0436\u0432\u044C\u044B\u0437\u0448\u044D\u0449\u0447\u044A" +
        "\u042E\u0410\u0411\u0426\u0414\u0415\u0424\u0413\u0425\u0418\u0419\u041A\u041B\u041C\u041D\u041E" +
        "\u041F\u042F\u0420\u0421\u0422\u0423\u0416\u0412\u042C\u042B\u0417\u0428\u042D\u0429\u0427\u042A";

    /// <summary>True when <paramref name="charset"/> is decoded exactly (not by fallback).</summary>
    public static bool IsKnown(string charset) => Table(charset) is not null || Builtin(charset) is not null;

    public static string Decode(string charset, ReadOnlySpan<byte> bytes)
    {
        string? table = Table(charset);
        if (table is not null)
        {
            var chars = new char[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[i] = bytes[i] < 0x80 ? (char)bytes[i] : table[bytes[i] - 0x80];
            }

            return new string(chars);
        }

        var enc = Builtin(charset);
        if (enc is not null)
        {
            return enc.GetString(bytes);
        }

        return RawText.ToText(RawText.FromBytes(bytes));
    }

    private static string Normalize(string charset)
    {
        // RFC 2231 allows a language after '*' in encoded-words: "utf-8*en".
        int star = charset.IndexOf('*');
        if (star >= 0)
        {
            charset = charset[..star];
        }

        return charset.Trim().ToLowerInvariant().Replace("_", "-", StringComparison.Ordinal);
    }

    private static string? Table(string charset) => Normalize(charset) switch
    {
        "windows-1252" or "cp1252" or "x-cp1252" => Windows1252High,
        "iso-8859-15" or "iso8859-15" or "latin-9" or "latin9" => Iso885915High,
        "koi8-r" or "koi8r" => Koi8RHigh,
        _ => null,
    };

    private static Encoding? Builtin(string charset) => Normalize(charset) switch
    {
        "utf-8" or "utf8" => Encoding.UTF8,
        "us-ascii" or "ascii" or "iso-8859-1" or "iso8859-1" or "latin1" or "latin-1" or "l1" => Encoding.Latin1,
        "utf-16" => Encoding.Unicode,
        "utf-16le" => Encoding.Unicode,
        "utf-16be" => Encoding.BigEndianUnicode,
        "utf-32" or "utf-32le" => Encoding.UTF32,
        "utf-32be" => new UTF32Encoding(true, false),
        _ => null,
    };
}
