namespace Imap4d.IO;

/// <summary>
/// A read-write stream kept in memory up to a limit and moved to a private (0600), unlinked
/// temporary file beyond it: for data of any size that must be written once and read back.
/// </summary>
public sealed class SpillStream : Stream
{
    private readonly int _memoryLimit;
    private readonly string _directory;
    private Stream _inner;

    /// <param name="capacity">Bytes to reserve in memory at once, when the size is known (at most <paramref name="memoryLimit"/> are).</param>
    public SpillStream(int memoryLimit, string? directory = null, long capacity = 0)
    {
        _memoryLimit = memoryLimit;
        _directory = directory ?? Path.GetTempPath();
        _inner = new MemoryStream((int)Math.Clamp(capacity, 0, Math.Max(memoryLimit, 0)));
    }

    /// <summary>Whether the data went to a file.</summary>
    public bool Spilled => _inner is FileStream;

    /// <summary>The data while it is in memory (not copied); false once it went to a file.</summary>
    public bool TryGetBuffer(out ArraySegment<byte> data)
    {
        if (_inner is MemoryStream memory && memory.TryGetBuffer(out data))
        {
            return true;
        }

        data = default;
        return false;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Spilled && _inner.Position + buffer.Length > _memoryLimit)
        {
            Spill();
        }

        _inner.Write(buffer);
    }

    public override void WriteByte(byte value)
    {
        Span<byte> one = [value];
        Write(one);
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value) => _inner.SetLength(value);

    public override void Flush() => _inner.Flush();

    /// <summary>
    /// Creates a private (0600) spool file and unlinks it at once: the open descriptor keeps the
    /// data, and nothing is left behind even when the process is killed.
    /// </summary>
    public static FileStream CreateFile(string directory)
    {
        string path = Path.Combine(directory, "imap4d-spool-" + Guid.NewGuid().ToString("N"));
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.Delete(path);
        return file;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Spill()
    {
        var file = CreateFile(_directory);
        try
        {
            long position = _inner.Position;
            _inner.Position = 0;
            _inner.CopyTo(file);
            file.Position = position;
        }
        catch
        {
            file.Dispose();
            throw;
        }

        _inner.Dispose();
        _inner = file;
    }
}
