using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

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
/// nothing. Append-only records keyed by UID and a fingerprint of the message (its size and
/// internal date), for the UIDVALIDITY in the header: an entry is served only for the message
/// it was made from, even if a mailbox re-created under the same name found this file again.
/// A cache: a damaged or foreign file is simply started again, and losing it loses nothing.
/// The file is private to the user (0600, see <see cref="State.PrivateFiles"/>).
/// </summary>
public sealed class FetchCache : IDisposable
{
    private const string Magic = "IMAP4DF2";
    private const byte RecordMark = 0xC5;
    private const int HeaderSize = 12;
    private const int RecordHeaderSize = 18;
    private const int MaxItemSize = 4 * 1024 * 1024;
    private const int ScanBlockSize = 1024 * 1024;
    private const int ReadWindowSize = 256 * 1024;
    private const int SmallReadSize = 8 * 1024;

    private readonly FileStream _file;

    // Taken once: FileStream.SafeFileHandle seeks the descriptor to the stream's position on every call.
    private readonly SafeFileHandle _handle;

    // The last block of records read for TryGet, one per item (each item's records were mostly
    // written in one pass, in UID order): a pass over a mailbox reads one block per 256 KiB of
    // an item's records, not one pread per message. A jump elsewhere reads a small block.
    private readonly ReadWindow?[] _windows = new ReadWindow?[8];
    private Func<MessageInfo, ulong> _fingerprintOf = FingerprintOf;
    private readonly Dictionary<(uint Uid, FetchCacheItem Item), (ulong Fingerprint, long Offset, int Length)> _entries = [];
    private long _scanned;

    private FetchCache(FileStream file)
    {
        _file = file;
        _handle = file.SafeFileHandle;
    }

    /// <summary>Opens (or starts) the cache file; null when it cannot be used (no place, no permission).</summary>
    /// <param name="fingerprintOf">What identifies a message's content (<see cref="FingerprintOf"/> when null).</param>
    public static FetchCache? Open(string? path, uint uidValidity, Func<MessageInfo, ulong>? fingerprintOf = null)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var file = State.PrivateFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, bufferSize: 1);
            var cache = new FetchCache(file) { _fingerprintOf = fingerprintOf ?? FingerprintOf };
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

    /// <summary>What identifies a message's content beside its UID, by default: its size and internal date.</summary>
    public static ulong FingerprintOf(MessageInfo message) =>
        Mix((ulong)message.Size, (ulong)message.InternalDate.ToUnixTimeMilliseconds());

    /// <summary>Combines two values into a fingerprint (stable across processes, unlike HashCode).</summary>
    public static ulong Mix(ulong a, ulong b) => (a * 0x9E3779B97F4A7C15UL) ^ b ^ (b >> 29);

    /// <summary>FNV-1a of a string (stable across processes).</summary>
    public static ulong Hash(string text)
    {
        ulong hash = 0xcbf29ce484222325UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 0x100000001b3UL;
        }

        return hash;
    }

    public bool TryGet(MessageInfo message, FetchCacheItem item, out byte[] bytes) =>
        TryGet(message.Uid, _fingerprintOf(message), item, out bytes);

    /// <summary>The item cached for this UID and fingerprint; false when none, or when it was cached for other content.</summary>
    public bool TryGet(uint uid, ulong fingerprint, FetchCacheItem item, out byte[] bytes)
    {
        if (!_entries.TryGetValue((uid, item), out var entry) || entry.Fingerprint != fingerprint)
        {
            Refresh(); // another session may have added it
            if (!_entries.TryGetValue((uid, item), out entry) || entry.Fingerprint != fingerprint)
            {
                bytes = [];
                return false;
            }
        }

        try
        {
            long recordStart = entry.Offset - RecordHeaderSize;
            int recordLength = RecordHeaderSize + entry.Length;
            if (recordLength > ReadWindowSize)
            {
                return TryReadRecord(uid, fingerprint, item, entry.Offset, entry.Length, out bytes);
            }

            var window = _windows[(int)item & 7] ??= new ReadWindow();
            if (!window.Holds(recordStart, recordLength))
            {
                // Reading on from where the last block ended: a pass; take a large block.
                bool onward = window.Length > 0 && recordStart >= window.Start + window.Length
                              && recordStart < window.Start + window.Length + ReadWindowSize;
                int size = Math.Max(recordLength, onward ? ReadWindowSize : SmallReadSize);
                if (window.Buffer.Length < size)
                {
                    window.Buffer = new byte[size];
                }

                window.Start = recordStart;
                window.Length = RandomAccess.Read(_handle, window.Buffer.AsSpan(0, size), recordStart);
            }

            var record = window.Buffer.AsSpan((int)(recordStart - window.Start), window.Length - (int)(recordStart - window.Start));
            if (record.Length < recordLength || !IsRecordOf(record, uid, fingerprint, item, entry.Length))
            {
                window.Length = 0; // not what the scan saw there (the file was started again): read afresh next time
                bytes = [];
                return false;
            }

            bytes = record.Slice(RecordHeaderSize, entry.Length).ToArray();
            return true;
        }
        catch (IOException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>A record too large for the read window, read on its own (header checked like the window's).</summary>
    private bool TryReadRecord(uint uid, ulong fingerprint, FetchCacheItem item, long offset, int length, out byte[] bytes)
    {
        var record = new byte[RecordHeaderSize + length];
        bytes = [];
        if (RandomAccess.Read(_handle, record, offset - RecordHeaderSize) != record.Length
            || !IsRecordOf(record, uid, fingerprint, item, length))
        {
            return false;
        }

        bytes = record[RecordHeaderSize..];
        return true;
    }

    /// <summary>True when the record header says exactly this message, item and length: nothing else is ever served.</summary>
    private static bool IsRecordOf(ReadOnlySpan<byte> record, uint uid, ulong fingerprint, FetchCacheItem item, int length) =>
        record[0] == RecordMark
        && BinaryPrimitives.ReadUInt32LittleEndian(record[1..]) == uid
        && record[5] == (byte)item
        && BinaryPrimitives.ReadUInt64LittleEndian(record[6..]) == fingerprint
        && BinaryPrimitives.ReadInt32LittleEndian(record[14..]) == length;

    public bool Contains(MessageInfo message, FetchCacheItem item) => Contains(message.Uid, _fingerprintOf(message), item);

    /// <summary>True when the item is known to be cached (without looking for other sessions' additions).</summary>
    public bool Contains(uint uid, ulong fingerprint, FetchCacheItem item) =>
        _entries.TryGetValue((uid, item), out var entry) && entry.Fingerprint == fingerprint;

    public void Put(MessageInfo message, FetchCacheItem item, ReadOnlySpan<byte> bytes) =>
        Put(message.Uid, _fingerprintOf(message), item, bytes);

    /// <summary>Adds an item with one write at the end of the file (whole records, so readers never see half of one we wrote).</summary>
    public void Put(uint uid, ulong fingerprint, FetchCacheItem item, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxItemSize || Contains(uid, fingerprint, item))
        {
            return;
        }

        var record = new byte[RecordHeaderSize + bytes.Length];
        record[0] = RecordMark;
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(1), uid);
        record[5] = (byte)item;
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(6), fingerprint);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(14), bytes.Length);
        bytes.CopyTo(record.AsSpan(RecordHeaderSize));
        try
        {
            long end = RandomAccess.GetLength(_handle);
            RandomAccess.Write(_handle, record, end);
            if (_scanned == end)
            {
                _entries[(uid, item)] = (fingerprint, end + RecordHeaderSize, bytes.Length);
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
        return RandomAccess.Read(_handle, header, 0) == HeaderSize &&
               Encoding.ASCII.GetString(header[..8]) == Magic &&
               BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == uidValidity;
    }

    private void Restart(uint uidValidity)
    {
        var header = new byte[HeaderSize];
        Encoding.ASCII.GetBytes(Magic, header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), uidValidity);
        _file.SetLength(0);
        Array.Clear(_windows);
        RandomAccess.Write(_handle, header, 0);
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

        long length = RandomAccess.GetLength(_handle);
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
                blockLength = RandomAccess.Read(_handle, block, blockStart);
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
            ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(head[6..]);
            int size = BinaryPrimitives.ReadInt32LittleEndian(head[14..]);
            if (size < 0 || size > MaxItemSize || _scanned + RecordHeaderSize + size > length)
            {
                return;
            }

            _entries[(uid, item)] = (fingerprint, _scanned + RecordHeaderSize, size); // the latest record wins
            _scanned += RecordHeaderSize + size;
        }
    }

    /// <summary>A block of the file kept in memory: bytes [Start, Start + Length).</summary>
    private sealed class ReadWindow
    {
        public byte[] Buffer = [];
        public long Start;
        public int Length;

        public bool Holds(long start, int length) => Length > 0 && start >= Start && start + length <= Start + Length;
    }
}
