using System.Buffers.Binary;
using System.Text;

namespace Imap4d.Storage.Index;

/// <summary>The items a <see cref="FetchCache"/> keeps per message.</summary>
public enum FetchCacheItem : byte
{
    Envelope = 1,
    Body = 2,
    BodyStructure = 3,

    /// <summary>The message's most asked-for header fields as stored (see Commands.CachedHeaderFields).</summary>
    HeaderFields = 4,
}

/// <summary>
/// What FETCH computes from a message's MIME structure (ENVELOPE, BODY, BODYSTRUCTURE in wire
/// form), kept beside the mailbox index so that a second FETCH of a large mailbox parses
/// nothing. Append-only records keyed by UID, for the UIDVALIDITY in the header; a UID never
/// names other data, so entries never go stale. A cache: a damaged or foreign file is simply
/// started again, and losing it loses nothing.
/// </summary>
public sealed class FetchCache : IDisposable
{
    private const string Magic = "IMAP4DFC";
    private const byte RecordMark = 0xC5;
    private const int HeaderSize = 12;
    private const int RecordHeaderSize = 10;
    private const int MaxItemSize = 4 * 1024 * 1024;
    private const int ScanBlockSize = 1024 * 1024;

    private readonly FileStream _file;
    private readonly Dictionary<(uint Uid, FetchCacheItem Item), (long Offset, int Length)> _entries = [];
    private long _scanned;

    private FetchCache(FileStream file)
    {
        _file = file;
    }

    /// <summary>Opens (or starts) the cache file; null when it cannot be used (no place, no permission).</summary>
    public static FetchCache? Open(string? path, uint uidValidity)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
            var cache = new FetchCache(file);
            if (!cache.HeaderMatches(uidValidity))
            {
                cache.Restart(uidValidity);
            }

            cache.Refresh();
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool TryGet(uint uid, FetchCacheItem item, out byte[] bytes)
    {
        if (!_entries.TryGetValue((uid, item), out var entry))
        {
            Refresh(); // another session may have added it
            if (!_entries.TryGetValue((uid, item), out entry))
            {
                bytes = [];
                return false;
            }
        }

        bytes = new byte[entry.Length];
        try
        {
            return RandomAccess.Read(_file.SafeFileHandle, bytes, entry.Offset) == entry.Length;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>True when the item is known to be cached (without looking for other sessions' additions).</summary>
    public bool Contains(uint uid, FetchCacheItem item) => _entries.ContainsKey((uid, item));

    /// <summary>Adds an item with one write at the end of the file (whole records, so readers never see half of one we wrote).</summary>
    public void Put(uint uid, FetchCacheItem item, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxItemSize || _entries.ContainsKey((uid, item)))
        {
            return;
        }

        var record = new byte[RecordHeaderSize + bytes.Length];
        record[0] = RecordMark;
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(1), uid);
        record[5] = (byte)item;
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(6), bytes.Length);
        bytes.CopyTo(record.AsSpan(RecordHeaderSize));
        try
        {
            long end = RandomAccess.GetLength(_file.SafeFileHandle);
            RandomAccess.Write(_file.SafeFileHandle, record, end);
            if (_scanned == end)
            {
                _entries[(uid, item)] = (end + RecordHeaderSize, bytes.Length);
                _scanned = end + record.Length;
            }
        }
        catch (IOException)
        {
            // A cache that cannot grow only costs time.
        }
    }

    public void Dispose() => _file.Dispose();

    private bool HeaderMatches(uint uidValidity)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        return RandomAccess.Read(_file.SafeFileHandle, header, 0) == HeaderSize &&
               Encoding.ASCII.GetString(header[..8]) == Magic &&
               BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == uidValidity;
    }

    private void Restart(uint uidValidity)
    {
        var header = new byte[HeaderSize];
        Encoding.ASCII.GetBytes(Magic, header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), uidValidity);
        _file.SetLength(0);
        RandomAccess.Write(_file.SafeFileHandle, header, 0);
        _entries.Clear();
        _scanned = HeaderSize;
    }

    /// <summary>Reads the record headers added since the last look (by us or by other sessions).</summary>
    private void Refresh()
    {
        if (_scanned < HeaderSize)
        {
            _scanned = HeaderSize;
        }

        long length = RandomAccess.GetLength(_file.SafeFileHandle);
        if (_scanned + RecordHeaderSize > length)
        {
            return;
        }

        // The file is read in large blocks (one read per block, not one per record).
        var block = new byte[(int)Math.Min(ScanBlockSize, length - _scanned)];
        long blockStart = -1;
        int blockLength = 0;
        while (_scanned + RecordHeaderSize <= length)
        {
            if (blockStart < 0 || _scanned < blockStart || _scanned + RecordHeaderSize > blockStart + blockLength)
            {
                blockStart = _scanned;
                blockLength = RandomAccess.Read(_file.SafeFileHandle, block, blockStart);
                if (blockLength < RecordHeaderSize)
                {
                    return;
                }
            }

            var head = block.AsSpan((int)(_scanned - blockStart), RecordHeaderSize);
            if (head[0] != RecordMark)
            {
                return; // torn or interleaved tail: stop here; entries before it stay good
            }

            uint uid = BinaryPrimitives.ReadUInt32LittleEndian(head[1..]);
            var item = (FetchCacheItem)head[5];
            int size = BinaryPrimitives.ReadInt32LittleEndian(head[6..]);
            if (size < 0 || size > MaxItemSize || _scanned + RecordHeaderSize + size > length)
            {
                return;
            }

            _entries.TryAdd((uid, item), (_scanned + RecordHeaderSize, size));
            _scanned += RecordHeaderSize + size;
        }
    }
}
