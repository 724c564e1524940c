namespace Imap4d.IO;

/// <summary>
/// A read-only stream that yields <paramref name="prefix"/> first, then what <paramref name="rest"/>
/// yields: the input a client pipelined after a login command, read by the login process,
/// in front of the connection the session continues on.
/// </summary>
public sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
{
    private int _offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TakePrefix(buffer) is int n and > 0)
        {
            return n;
        }

        return rest.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakePrefix(buffer.Span) is int n and > 0)
        {
            return ValueTask.FromResult(n);
        }

        return rest.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int TakePrefix(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, prefix.Length - _offset);
        if (n <= 0)
        {
            return 0;
        }

        prefix.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }
}
