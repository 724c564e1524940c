namespace Imap4d.IO;

/// <summary>
/// A read-only stream of some bytes already read (<paramref name="prefix"/>) followed by at most
/// <paramref name="limit"/> bytes of <paramref name="rest"/>. Used to go on reading a message
/// after its header, to read one part of it, and to put the input a client pipelined after a
/// login command (read by the login process) in front of the connection the session continues on.
/// </summary>
internal sealed class SpliceStream(ReadOnlyMemory<byte> prefix, Stream rest, long limit = long.MaxValue) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;
    private long _remaining = limit;

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
        if (!_prefix.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        if (_remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        int read = rest.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_prefix.IsEmpty || _remaining <= 0 || buffer.IsEmpty)
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }

        return ReadRestAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> ReadRestAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = await rest.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes of <paramref name="stream"/>; false when it ended first.</summary>
    public static bool Skip(Stream stream, long count, byte[] scratch)
    {
        while (count > 0)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, count));
            if (n <= 0)
            {
                return false;
            }

            count -= n;
        }

        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
