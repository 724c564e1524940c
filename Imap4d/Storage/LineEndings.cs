namespace Imap4d.Storage;

/// <summary>Conversions between the LF line ends of Unix mail files and the CRLF of IMAP.</summary>
public static class LineEndings
{
    /// <summary>Every bare LF becomes CRLF; existing CRLF stays; a lone CR stays.</summary>
    public static byte[] ToCrlf(ReadOnlySpan<byte> text)
    {
        int extra = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            {
                extra++;
            }
        }

        var result = new byte[text.Length + extra];
        int j = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            {
                result[j++] = (byte)'\r';
            }

            result[j++] = text[i];
        }

        return result;
    }

    /// <summary>Every CRLF becomes LF (for storing in Unix mail files); a lone CR stays.</summary>
    public static byte[] ToLf(ReadOnlySpan<byte> text)
    {
        var result = new byte[text.Length];
        int j = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                continue;
            }

            result[j++] = text[i];
        }

        return result[..j];
    }

    /// <summary>The size of <paramref name="text"/> once converted with <see cref="ToCrlf"/>.</summary>
    public static long CrlfSize(ReadOnlySpan<byte> text)
    {
        long size = text.Length;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            {
                size++;
            }
        }

        return size;
    }
}
