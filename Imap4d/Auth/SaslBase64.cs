namespace Imap4d.Auth;

/// <summary>
/// Strict base64 (RFC 4648 section 4) for SASL client responses: no whitespace, no line
/// breaks, correct padding and zero unused bits. A lone "=" is the SASL-IR spelling of an
/// empty initial response (RFC 4959); an empty string is also an empty response.
/// </summary>
public static class SaslBase64
{
    public static bool TryDecode(string text, out byte[] data)
    {
        ArgumentNullException.ThrowIfNull(text);
        data = [];
        if (text.Length == 0 || text == "=")
        {
            return true;
        }
        if (text.Length % 4 != 0)
        {
            return false;
        }
        int padding = text.EndsWith("==", StringComparison.Ordinal) ? 2 : text.EndsWith('=') ? 1 : 0;
        int dataLength = text.Length - padding;
        for (int i = 0; i < dataLength; i++)
        {
            if (ValueOf(text[i]) < 0)
            {
                return false;
            }
        }
        // Reject non-canonical encodings: the bits the padding cuts off must be zero.
        int lastValue = ValueOf(text[dataLength - 1]);
        int unusedBitsMask = padding switch { 2 => 0b1111, 1 => 0b11, _ => 0 };
        if ((lastValue & unusedBitsMask) != 0)
        {
            return false;
        }
        data = Convert.FromBase64String(text);
        return true;
    }

    private static int ValueOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
