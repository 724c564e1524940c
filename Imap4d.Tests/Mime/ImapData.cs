using System.Globalization;
using System.Text;

namespace Imap4d.Tests.Mime;

/// <summary>
/// Parses IMAP response data (lists, quoted strings, literals, NIL, atoms) into a canonical
/// text, so that "x" and {1}\r\nx compare equal (Dovecot and we may choose different forms).
/// </summary>
internal static class ImapData
{
    public static string Canonical(byte[] data)
    {
        int pos = 0;
        var sb = new StringBuilder();
        while (pos < data.Length)
        {
            SkipSpaces(data, ref pos);
            if (pos >= data.Length)
            {
                break;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            Item(data, ref pos, sb);
        }

        return sb.ToString();
    }

    private static void SkipSpaces(byte[] d, ref int pos)
    {
        while (pos < d.Length && d[pos] is (byte)' ' or (byte)'\r' or (byte)'\n')
        {
            pos++;
        }
    }

    private static void Item(byte[] d, ref int pos, StringBuilder sb)
    {
        byte c = d[pos];
        if (c == '(')
        {
            pos++;
            sb.Append('(');
            bool first = true;
            while (true)
            {
                SkipSpaces(d, ref pos);
                if (pos >= d.Length)
                {
                    throw new FormatException("unterminated list");
                }

                if (d[pos] == ')')
                {
                    pos++;
                    break;
                }

                if (!first)
                {
                    sb.Append(' ');
                }

                first = false;
                Item(d, ref pos, sb);
            }

            sb.Append(')');
            return;
        }

        if (c == '"')
        {
            pos++;
            var bytes = new List<byte>();
            while (d[pos] != '"')
            {
                if (d[pos] == '\\')
                {
                    pos++;
                }

                bytes.Add(d[pos++]);
            }

            pos++;
            Str(bytes.ToArray(), sb);
            return;
        }

        if (c == '{')
        {
            int close = Array.IndexOf(d, (byte)'}', pos);
            int n = int.Parse(Encoding.ASCII.GetString(d, pos + 1, close - pos - 1), CultureInfo.InvariantCulture);
            pos = close + 3;
            Str(d.AsSpan(pos, n).ToArray(), sb);
            pos += n;
            return;
        }

        int start = pos;
        while (pos < d.Length && d[pos] is not ((byte)' ' or (byte)'(' or (byte)')' or (byte)'\r' or (byte)'\n'))
        {
            pos++;
        }

        sb.Append(Encoding.Latin1.GetString(d, start, pos - start));
    }

    private static void Str(byte[] bytes, StringBuilder sb)
    {
        sb.Append('"');
        foreach (byte b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                sb.Append('\\');
            }

            sb.Append(b < 0x20 || b >= 0x7f ? $"\\x{b:x2}" : ((char)b).ToString());
        }

        sb.Append('"');
    }
}
