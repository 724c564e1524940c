using System.Collections.Concurrent;
using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// Finds the decoder for a MIME charset name: the encodings built into .NET (UTF-8, US-ASCII,
/// ISO-8859-1, UTF-16, UTF-32, UTF-7), then every code page of the framework's
/// <see cref="CodePagesEncodingProvider"/> (ISO-8859-2..15, windows-125x, KOI8-R/U, Shift_JIS,
/// ISO-2022-JP, EUC-JP, GB2312/GBK, GB18030, Big5, EUC-KR, ...). The provider is registered
/// the first time a name is not built in, so sessions that never meet one do not pay for it.
/// Unknown charsets decode as UTF-8 when valid, else ISO-8859-1.
/// </summary>
public static class Charsets
{
    /// <summary>Names come from messages: remember at most this many, known or not.</summary>
    private const int MaxRemembered = 256;

    private static readonly ConcurrentDictionary<string, Encoding?> Remembered = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> CodePagesRegistered = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    });

    /// <summary>True when <paramref name="charset"/> is decoded exactly (not by fallback).</summary>
    public static bool IsKnown(string charset) => Find(charset) is not null;

    public static string Decode(string charset, ReadOnlySpan<byte> bytes)
    {
        var encoding = Find(charset);
        if (encoding is null)
        {
            return RawText.ToText(RawText.FromBytes(bytes));
        }

        if (NeedsByteOrder(encoding))
        {
            encoding = ByByteOrderMark(encoding, bytes, out int bom);
            bytes = bytes[bom..];
        }

        return encoding.GetString(bytes);
    }

    /// <summary>True for "UTF-16" and "UTF-32" without an endianness in the name: the text's BOM decides.</summary>
    public static bool NeedsByteOrder(Encoding encoding) => ReferenceEquals(encoding, Utf16) || ReferenceEquals(encoding, Utf32);

    /// <summary>
    /// The byte order a BOM at the start of <paramref name="start"/> names, and the BOM's length;
    /// without one big-endian, as RFC 2781 §4.3 says (and iconv does).
    /// </summary>
    public static Encoding ByByteOrderMark(Encoding encoding, ReadOnlySpan<byte> start, out int bomLength)
    {
        bool wide = ReferenceEquals(encoding, Utf32);
        if (wide)
        {
            bomLength = 4;
            if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]))
            {
                return Encoding.UTF32;
            }

            if (start.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]))
            {
                return BigEndianUtf32;
            }
        }
        else
        {
            bomLength = 2;
            if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            {
                return Encoding.Unicode;
            }

            if (start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                return Encoding.BigEndianUnicode;
            }
        }

        bomLength = 0;
        return wide ? BigEndianUtf32 : Encoding.BigEndianUnicode;
    }

    /// <summary>The encoding for a charset name, or null when neither .NET nor its code pages know it.</summary>
    public static Encoding? Find(string charset)
    {
        string name = Normalize(charset);
        if (Builtin(name) is { } builtin)
        {
            return builtin;
        }

        if (Remembered.TryGetValue(name, out var known))
        {
            return known;
        }

        var found = FromCodePages(name);
        if (Remembered.Count < MaxRemembered)
        {
            Remembered.TryAdd(name, found);
        }

        return found;
    }

    private static string Normalize(string charset)
    {
        // RFC 2231 allows a language after '*' in encoded-words: "utf-8*en".
        int star = charset.IndexOf('*');
        if (star >= 0)
        {
            charset = charset[..star];
        }

        return charset.Trim().Trim('"').ToLowerInvariant();
    }

    private static Encoding? Builtin(string name) => name switch
    {
        "utf-8" or "utf8" => Encoding.UTF8,
        // Lenient: 8-bit bytes labelled ASCII are kept as ISO-8859-1 rather than lost.
        "us-ascii" or "ascii" or "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "latin1" or "latin-1" or "l1" => Encoding.Latin1,
        "utf-16" => Utf16,
        "utf-16le" => Encoding.Unicode,
        "utf-16be" => Encoding.BigEndianUnicode,
        "utf-32" => Utf32,
        "utf-32le" => Encoding.UTF32,
        "utf-32be" => BigEndianUtf32,
        "utf-7" or "utf7" or "unicode-1-1-utf-7" or "csunicode11utf7" => Utf7,
        _ => null,
    };

    private static readonly Encoding BigEndianUtf32 = new UTF32Encoding(bigEndian: true, byteOrderMark: false);

    // Stand-ins for "UTF-16"/"UTF-32" of unknown byte order (see ByByteOrderMark); distinct instances.
    private static readonly Encoding Utf16 = new UnicodeEncoding(bigEndian: true, byteOrderMark: true);
    private static readonly Encoding Utf32 = new UTF32Encoding(bigEndian: true, byteOrderMark: true);

    // UTF-7 is obsolete for writing (SYSLIB0001), but mail in it still has to be read.
#pragma warning disable SYSLIB0001
    private static readonly Encoding Utf7 = new UTF7Encoding();
#pragma warning restore SYSLIB0001

    private static Encoding? FromCodePages(string name)
    {
        if (name.Length == 0 || name.Length > 40)
        {
            return null;
        }

        _ = CodePagesRegistered.Value;
        var fallback = new DecoderReplacementFallback("\uFFFD");
        try
        {
            return Encoding.GetEncoding(name, EncoderFallback.ReplacementFallback, fallback);
        }
        catch (ArgumentException)
        {
        }
        catch (NotSupportedException)
        {
        }

        // Names mailers use that the provider spells otherwise: "cp1251", "cp-1251", "windows-31j", "x-gbk".
        int? codePage = name switch
        {
            "windows-31j" => 932,
            "x-gbk" => 936,
            _ when name.StartsWith("cp-", StringComparison.Ordinal) => Number(name[3..]),
            _ when name.StartsWith("cp", StringComparison.Ordinal) => Number(name[2..]),
            _ => null,
        };
        if (codePage is not { } page)
        {
            return null;
        }

        try
        {
            return Encoding.GetEncoding(page, EncoderFallback.ReplacementFallback, fallback);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static int? Number(string digits) =>
        digits.Length is > 0 and <= 5 && digits.All(char.IsAsciiDigit) ? int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) : null;
}
