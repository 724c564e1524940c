using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// "Raw" strings: one char per byte (ISO-8859-1 mapping). Header values are kept this way so
/// that writers reproduce the exact bytes of the message; decoders turn them into text.
/// </summary>
public static class RawText
{
    public static string FromBytes(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] ToBytes(string raw) => Encoding.Latin1.GetBytes(raw);

    /// <summary>Interprets raw bytes as UTF-8 when valid, as ISO-8859-1 otherwise.</summary>
    public static string ToText(string raw)
    {
        bool ascii = true;
        foreach (char c in raw)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return raw;
        }

        byte[] bytes = ToBytes(raw);
        return TryUtf8(bytes, out string? text) ? text : raw;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static bool TryUtf8(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }
}
