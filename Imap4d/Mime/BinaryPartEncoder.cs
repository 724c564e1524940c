using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// Stores what a client appended as binary (RFC 3516 literal8) in a form IMAP4rev1 can carry:
/// each part whose Content-Transfer-Encoding is "binary" is rewritten as base64. Such a part may
/// hold NUL, bare CR or LF and lines of any length, which neither an IMAP literal nor a mailbox
/// file that keeps lines (mbox, maildir, MH) preserves; base64 keeps every byte, so BINARY[part]
/// gives back exactly what was appended while BODY[part] stays valid 7-bit text. Dovecot stores
/// binary appends the same way.
/// </summary>
public static class BinaryPartEncoder
{
    /// <summary>Bytes of input per base64 line (76 characters, RFC 2045 §6.8).</summary>
    private const int LineInput = 57;

    /// <summary>
    /// Writes <paramref name="message"/> with its binary parts base64-encoded to
    /// <paramref name="output"/>; false (and nothing written) when it has no such part.
    /// </summary>
    public static bool TryEncode(Stream message, Stream output)
    {
        message.Position = 0;
        var root = MimeScanner.Scan(message);
        var binary = new List<MimePart>();
        CollectBinaryLeaves(root, binary);
        if (binary.Count == 0)
        {
            return false;
        }

        long position = 0;
        foreach (var part in binary)
        {
            Copy(message, position, part.HeaderOffset - position, output);
            WriteHeader(message, part, output);
            WriteBase64(message, part.BodyOffset, part.BodySize, output);
            if (NextByte(message, part.EndOffset) is not ((byte)'\r' or (byte)'\n' or -1))
            {
                output.Write("\r\n"u8);
            }

            position = part.EndOffset;
        }

        Copy(message, position, message.Length - position, output);
        return true;
    }

    private static void CollectBinaryLeaves(MimePart part, List<MimePart> found)
    {
        if (part.Message is { } inner)
        {
            CollectBinaryLeaves(inner, found);
            return;
        }

        if (part.IsMultipart)
        {
            foreach (var child in part.Children)
            {
                CollectBinaryLeaves(child, found);
            }

            return;
        }

        if (string.Equals(part.ContentTransferEncoding?.Trim(), "binary", StringComparison.OrdinalIgnoreCase) && !part.LimitExceeded)
        {
            found.Add(part);
        }
    }

    /// <summary>The part's header without its Content-Transfer-Encoding field, which becomes base64.</summary>
    private static void WriteHeader(Stream message, MimePart part, Stream output)
    {
        byte[] header = new byte[part.HeaderSize];
        message.Position = part.HeaderOffset;
        message.ReadExactly(header);
        bool dropping = false;
        int start = 0;
        while (start < header.Length)
        {
            int end = Array.IndexOf(header, (byte)'\n', start);
            end = end < 0 ? header.Length : end + 1;
            var line = header.AsSpan(start, end - start);
            bool continuation = line.Length > 0 && line[0] is (byte)' ' or (byte)'\t';
            bool blank = line.Trim("\r\n"u8).Length == 0;
            if (blank)
            {
                break;
            }

            if (!continuation)
            {
                dropping = line.Length > 26 &&
                           Encoding.ASCII.GetString(line[..26]).Equals("Content-Transfer-Encoding:", StringComparison.OrdinalIgnoreCase);
            }

            if (!dropping)
            {
                output.Write(line);
                if (line[^1] != '\n')
                {
                    output.Write("\r\n"u8);
                }
            }

            start = end;
        }

        output.Write("Content-Transfer-Encoding: base64\r\n\r\n"u8);
    }

    private static void WriteBase64(Stream message, long offset, long length, Stream output)
    {
        byte[] chunk = new byte[LineInput * 256];
        char[] text = new char[Base64Length(chunk.Length)];
        byte[] ascii = new byte[text.Length];
        message.Position = offset;
        bool first = true;
        while (length > 0)
        {
            // Whole chunks (a multiple of 57 bytes) so that only the last line is short or padded.
            int want = (int)Math.Min(chunk.Length, length);
            int n = message.ReadAtLeast(chunk.AsSpan(0, want), want, throwOnEndOfStream: false);
            if (n <= 0)
            {
                break;
            }

            length -= n;
            if (!first)
            {
                output.Write("\r\n"u8);
            }

            first = false;
            int chars = Convert.ToBase64CharArray(chunk, 0, n, text, 0, Base64FormattingOptions.InsertLineBreaks);
            int bytes = Encoding.ASCII.GetBytes(text, 0, chars, ascii, 0);
            output.Write(ascii, 0, bytes);
        }
    }

    /// <summary>Characters of base64 with line breaks for <paramref name="bytes"/> input bytes.</summary>
    private static int Base64Length(int bytes)
    {
        int plain = (bytes + 2) / 3 * 4;
        return plain + (plain / 76 + 1) * 2;
    }

    private static int NextByte(Stream message, long offset)
    {
        if (offset >= message.Length)
        {
            return -1;
        }

        message.Position = offset;
        return message.ReadByte();
    }

    private static void Copy(Stream message, long offset, long length, Stream output)
    {
        message.Position = offset;
        byte[] buffer = new byte[64 * 1024];
        while (length > 0)
        {
            int n = message.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (n <= 0)
            {
                break;
            }

            output.Write(buffer, 0, n);
            length -= n;
        }
    }
}
