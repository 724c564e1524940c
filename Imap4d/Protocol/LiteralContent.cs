using Imap4d.IO;

namespace Imap4d.Protocol;

/// <summary>
/// The bytes of a string argument. Small ones live in memory; a large APPEND literal is
/// spooled to an unlinked temporary file so that memory stays bounded.
/// </summary>
public abstract class LiteralContent : IDisposable
{
    public abstract long Length { get; }

    /// <summary>A fresh read-only stream over the bytes, positioned at the start.</summary>
    public abstract Stream OpenRead();

    /// <summary>The bytes as an array; callers use this only for arguments bounded by the literal limit.</summary>
    public abstract byte[] ToArray();

    public virtual void Dispose()
    {
    }
}

/// <summary>Literal or quoted-string bytes held in memory.</summary>
public sealed class MemoryLiteral(byte[] bytes) : LiteralContent
{
    public override long Length => bytes.Length;

    public override Stream OpenRead() => new MemoryStream(bytes, writable: false);

    public override byte[] ToArray() => bytes;
}

/// <summary>
/// Literal bytes spooled to a temporary file that is deleted when the last literal using it is
/// disposed. The literals of one command share one file (MULTIAPPEND may send thousands).
/// </summary>
public sealed class FileLiteral : LiteralContent
{
    private readonly LiteralSpool _spool;
    private readonly long _offset;
    private readonly long _length;
    private bool _disposed;

    /// <summary>A literal that is the whole of <paramref name="file"/> (which it owns).</summary>
    public FileLiteral(FileStream file)
        : this(new LiteralSpool(file), 0, file.Length)
    {
    }

    internal FileLiteral(LiteralSpool spool, long offset, long length)
    {
        _spool = spool;
        _offset = offset;
        _length = length;
        spool.AddReference();
    }

    public override long Length => _length;

    public override Stream OpenRead() => new FileWindowStream(_spool.File.SafeFileHandle, _offset, _length);

    public override byte[] ToArray()
    {
        var result = new byte[_length];
        RandomAccess.Read(_spool.File.SafeFileHandle, result, _offset);
        return result;
    }

    public override void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _spool.Release();
        }
    }

    /// <summary>Creates the spool file in <paramref name="directory"/>: mode 0600, deleted on close.</summary>
    public static FileStream CreateSpool(string directory) => SpillStream.CreateFile(directory);
}

/// <summary>One spool file shared by the literals of a command; closed when the last one lets go.</summary>
internal sealed class LiteralSpool(FileStream file)
{
    private int _references;

    public FileStream File { get; } = file;

    public void AddReference() => _references++;

    public void Release()
    {
        if (--_references <= 0)
        {
            File.Dispose();
        }
    }
}
