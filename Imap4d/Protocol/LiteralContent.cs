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

/// <summary>Literal bytes spooled to a temporary file that is deleted when disposed.</summary>
public sealed class FileLiteral : LiteralContent
{
    private readonly FileStream _file;

    public FileLiteral(FileStream file)
    {
        _file = file;
    }

    public override long Length => _file.Length;

    public override Stream OpenRead()
    {
        return new FileWindowStream(_file.SafeFileHandle, 0, _file.Length);
    }

    public override byte[] ToArray()
    {
        var result = new byte[_file.Length];
        RandomAccess.Read(_file.SafeFileHandle, result, 0);
        return result;
    }

    public override void Dispose() => _file.Dispose();

    /// <summary>Creates the spool file in <paramref name="directory"/>: mode 0600, deleted on close.</summary>
    public static FileStream CreateSpool(string directory) => SpillStream.CreateFile(directory);
}
