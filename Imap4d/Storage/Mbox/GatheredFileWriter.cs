using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// Writes many pieces one after the other from a file offset with few system calls: the pieces
/// are gathered and go out by one pwritev per <see cref="MaxPieces"/>. A MULTIAPPEND of 1,000
/// messages wrote five pieces per message with a pwrite each.
/// </summary>
internal sealed class GatheredFileWriter
{
    /// <summary>Well below IOV_MAX (1024), the most one pwritev takes.</summary>
    private const int MaxPieces = 512;

    private readonly SafeFileHandle _file;
    private readonly List<ReadOnlyMemory<byte>> _pieces = new(MaxPieces);
    private long _written;

    public GatheredFileWriter(SafeFileHandle file, long offset)
    {
        _file = file;
        _written = offset;
        Offset = offset;
    }

    /// <summary>Where the next piece goes: the end of everything added.</summary>
    public long Offset { get; private set; }

    /// <summary>Adds a piece; it must stay unchanged until written (at <see cref="Flush"/> at the latest).</summary>
    public void Add(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        _pieces.Add(piece);
        Offset += piece.Length;
        if (_pieces.Count >= MaxPieces)
        {
            Flush();
        }
    }

    /// <summary>Writes what was added, then lets <paramref name="write"/> write at <see cref="Offset"/> itself (returning the offset after it).</summary>
    public void AddDirect(Func<SafeFileHandle, long, long> write)
    {
        Flush();
        Offset = write(_file, Offset);
        _written = Offset;
    }

    public void Flush()
    {
        if (_pieces.Count == 0)
        {
            return;
        }

        RandomAccess.Write(_file, _pieces, _written);
        _pieces.Clear();
        _written = Offset;
    }
}
