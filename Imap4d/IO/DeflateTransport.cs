using System.IO.Compression;

namespace Imap4d.IO;

/// <summary>
/// COMPRESS=DEFLATE (RFC 4978): raw deflate (RFC 1951) over a connection in both directions. The
/// output is sync-flushed whenever the session flushes, that is at every response boundary the
/// client waits on (tagged lines, continuation requests, IDLE updates), so nothing waits in the
/// compressor. zlib's state is bounded (about 300 KB per connection with the default window);
/// <see cref="Dispose"/> frees it at once rather than at the next collection.
/// </summary>
public sealed class DeflateTransport : IDisposable
{
    private readonly Stream _buffer;

    private DeflateTransport(Stream input, Stream output, Stream buffer)
    {
        Input = input;
        Output = output;
        _buffer = buffer;
    }

    /// <summary>The client's bytes, inflated. Malformed compressed data is reported as an <see cref="IOException"/>.</summary>
    public Stream Input { get; }

    /// <summary>Bytes to the client, deflated and sync-flushed on each Flush.</summary>
    public Stream Output { get; }

    /// <param name="pending">Bytes already read from <paramref name="input"/> after the COMPRESS command: compressed too.</param>
    public static DeflateTransport Start(Stream input, Stream output, ReadOnlyMemory<byte> pending)
    {
        Stream source = pending.IsEmpty ? input : new SpliceStream(pending, input);
        var inflate = new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true);
        // What the compressor emits goes out once per flush (or per 64 KB), never as a sliver of a
        // block that inflates to nothing: mbsync (isync 1.4) takes such a read for an empty response.
        var buffer = new BufferedStream(output, 64 * 1024);
        // Fastest: the link is rarely slower than level 1 deflate, and CPU is what a busy server runs out of.
        var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true);
        return new DeflateTransport(new InflateErrors(inflate), new FlushWhenWritten(deflate), buffer);
    }

    public void Dispose()
    {
        try
        {
            Output.Dispose(); // may try to write the final block to a connection already gone
            _buffer.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
        }

        Input.Dispose();
    }

    /// <summary>
    /// Flushes the compressor only when something was written since the last flush: a flush of
    /// nothing still sends an empty block, a read that inflates to no bytes, which mbsync (isync
    /// 1.4) takes for an empty response line.
    /// </summary>
    private sealed class FlushWhenWritten(Stream inner) : Stream
    {
        private bool _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > 0)
            {
                _written = true;
                inner.Write(buffer);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length > 0)
            {
                _written = true;
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
            if (_written)
            {
                _written = false;
                inner.Flush();
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_written)
            {
                _written = false;
                await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Turns the decompressor's <see cref="InvalidDataException"/> into the IOException a broken connection gives.</summary>
    private sealed class InflateErrors(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (InvalidDataException e)
            {
                throw new IOException("invalid compressed data: " + e.Message, e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new IOException("invalid compressed data: " + e.Message, e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
