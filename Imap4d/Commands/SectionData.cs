using Imap4d.Protocol;

namespace Imap4d.Commands;

/// <summary>
/// What one FETCH section sends, gathered before the response line starts: bytes in memory, or
/// an open stream positioned at the first byte to send (owned: disposed with this). A
/// <paramref name="binary"/> stream (BINARY content holding NUL) goes out as a literal8.
/// </summary>
internal sealed class SectionData(ReadOnlyMemory<byte> bytes, Stream? stream, long count, bool binary = false) : IDisposable
{
    /// <summary>An empty section, sent as "".</summary>
    public static SectionData Empty { get; } = new(default, null, 0);

    public void Write(ResponseWriter writer)
    {
        if (stream is not null)
        {
            writer.Literal(stream, count, binary);
        }
        else if (bytes.Length == 0)
        {
            writer.String("");
        }
        else
        {
            writer.Literal(bytes.Span);
        }
    }

    public void Dispose() => stream?.Dispose();
}
