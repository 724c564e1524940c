namespace Imap4d.Storage.Mh;

/// <summary>
/// Copies a message as a client sent it into a Unix file: CRLF becomes LF (a lone CR stays),
/// and counts the size the client will see when the file is served back with CRLF.
/// </summary>
internal static class LfWriter
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>; returns (bytes written, client CRLF size).</summary>
    public static (long Written, long CrlfSize) Copy(Stream source, Stream target)
    {
        var input = new byte[64 * 1024];
        var output = new byte[64 * 1024 + 1];
        bool pendingCr = false;
        bool lastOutWasCr = false;
        long written = 0;
        long crlf = 0;
        int n;
        while ((n = source.Read(input, 0, input.Length)) > 0)
        {
            int o = 0;
            for (int i = 0; i < n; i++)
            {
                byte b = input[i];
                if (pendingCr)
                {
                    pendingCr = false;
                    if (b != '\n')
                    {
                        Emit((byte)'\r');
                    }
                }

                if (b == '\r')
                {
                    pendingCr = true;
                    continue;
                }

                Emit(b);
            }

            target.Write(output, 0, o);
            written += o;

            void Emit(byte c)
            {
                output[o++] = c;
                crlf += c == '\n' && !lastOutWasCr ? 2 : 1;
                lastOutWasCr = c == '\r';
            }
        }

        if (pendingCr)
        {
            target.WriteByte((byte)'\r');
            written++;
            crlf++;
        }

        return (written, crlf);
    }
}
