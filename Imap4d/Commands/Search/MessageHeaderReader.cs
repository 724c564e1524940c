namespace Imap4d.Commands.Search;

/// <summary>
/// Reads a message header in chunks, up to and including the empty line that ends it, and keeps
/// the body bytes read past it so the body can be read on from the same stream. At most
/// <see cref="MaxHeader"/> bytes are kept; the rest of a longer header is read and dropped.
/// </summary>
internal sealed class MessageHeaderReader
{
    public const int MaxHeader = 1024 * 1024;
    private const int ChunkSize = 8 * 1024;

    private MessageHeaderReader(byte[] buffer, int headerLength, int bodyStart, int bodyEnd, bool truncated)
    {
        Buffer = buffer;
        HeaderLength = headerLength;
        BodyStart = bodyStart;
        BodyEnd = bodyEnd;
        Truncated = truncated;
    }

    /// <summary>Header bytes (<see cref="HeaderLength"/>), then body bytes already read.</summary>
    public byte[] Buffer { get; }

    public int HeaderLength { get; }

    private int BodyStart { get; }

    private int BodyEnd { get; }

    /// <summary>True when the header was longer than <see cref="MaxHeader"/>: only its start is kept.</summary>
    public bool Truncated { get; }

    public ReadOnlyMemory<byte> Header => Buffer.AsMemory(0, HeaderLength);

    /// <summary>Body bytes read together with the header.</summary>
    public ReadOnlyMemory<byte> BodyStartBytes => Buffer.AsMemory(BodyStart, BodyEnd - BodyStart);

    /// <summary>
    /// All bytes read so far, in order (header and body start); valid only when not
    /// <see cref="Truncated"/>.
    /// </summary>
    public ReadOnlyMemory<byte> AllRead => Buffer.AsMemory(0, BodyEnd);

    public static MessageHeaderReader Read(Stream stream)
    {
        var buffer = new byte[ChunkSize];
        int length = 0;
        int lineLength = 0;
        bool lineStartsWithCr = false;
        bool truncated = false;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length < MaxHeader)
                {
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxHeader));
                }
                else
                {
                    truncated = true;
                }
            }

            // Bytes of an over-long header are read into the last chunk of the buffer and dropped.
            int readAt = truncated ? buffer.Length - ChunkSize : length;
            int n = stream.Read(buffer, readAt, buffer.Length - readAt);
            if (n <= 0)
            {
                int kept = truncated ? buffer.Length - ChunkSize : length;
                return new MessageHeaderReader(buffer, kept, kept, kept, truncated);
            }

            for (int i = readAt; i < readAt + n; i++)
            {
                byte b = buffer[i];
                if (b == '\n')
                {
                    if (lineLength == 0 || (lineLength == 1 && lineStartsWithCr))
                    {
                        if (!truncated)
                        {
                            return new MessageHeaderReader(buffer, i + 1, i + 1, readAt + n, false);
                        }

                        // Keep the start of the header, the body bytes after the end.
                        int keep = buffer.Length - ChunkSize;
                        return new MessageHeaderReader(buffer, keep, i + 1, readAt + n, true);
                    }

                    lineLength = 0;
                }
                else
                {
                    if (lineLength == 0)
                    {
                        lineStartsWithCr = b == '\r';
                    }

                    lineLength++;
                }
            }

            if (!truncated)
            {
                length += n;
            }
        }
    }
}
