namespace Imap4d.Storage.Mbox;

/// <summary>Turns a stored message (header and body as in the file) into what the client sees; see <see cref="MboxParser"/>.</summary>
internal static class ClientView
{
    /// <param name="raw">The bytes from the first header line to the end of the message.</param>
    /// <param name="bodyStart">Where the body starts in <paramref name="raw"/> (after the blank line).</param>
    public static byte[] Render(ReadOnlySpan<byte> raw, int bodyStart, long expectedSize)
    {
        var output = new byte[Math.Max(expectedSize, 0)];
        int o = 0;
        bool hiding = false;
        bool inHeader = true;
        int pos = 0;
        while (pos < raw.Length)
        {
            int lf = raw[pos..].IndexOf((byte)'\n');
            int end = lf < 0 ? raw.Length : pos + lf + 1;
            var line = raw[pos..end];
            bool header = inHeader && pos < bodyStart;
            pos = end;
            if (header)
            {
                if (MboxParser.IsBlank(line))
                {
                    inHeader = false;
                    hiding = false;
                }
                else if (line[0] is (byte)' ' or (byte)'\t')
                {
                    if (hiding)
                    {
                        continue;
                    }
                }
                else
                {
                    hiding = MboxHeaders.HiddenIndex(MboxHeaders.FieldName(line)) >= 0;
                    if (hiding)
                    {
                        continue;
                    }
                }
            }

            if (line.Length > 0 && line[0] == '>' && MboxParser.IsQuotedFrom(line))
            {
                line = line[1..];
            }

            bool bareLf = line.Length > 0 && line[^1] == '\n' && (line.Length < 2 || line[^2] != '\r');
            int need = line.Length + (bareLf ? 1 : 0);
            if (o + need > output.Length)
            {
                Array.Resize(ref output, Math.Max(output.Length * 2, o + need));
            }

            if (bareLf)
            {
                line[..^1].CopyTo(output.AsSpan(o));
                o += line.Length - 1;
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
            }
            else
            {
                line.CopyTo(output.AsSpan(o));
                o += line.Length;
            }
        }

        return o == output.Length ? output : output[..o];
    }
}
