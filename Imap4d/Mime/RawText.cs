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
        return Utf8Strict.TryGetString(bytes, out string? text) ? text : raw;
    }

    private static class Utf8Strict
    {
        private static readonly UTF8Encoding Encoding = new(false, true);

        public static bool TryGetString(byte[] bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
        {
            try
            {
                text = Encoding.GetString(bytes);
                return true;
            }
            catch (DecoderFallbackException)
            {
                text = null;
                return false;
            }
        }
    }
}
