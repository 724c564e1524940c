using System.Buffers.Binary;
using System.Text;
using Imap4d.IO;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.Index;

/// <summary>The items a <see cref="FetchCache"/> keeps per message.</summary>
public enum FetchCacheItem : byte
{
    Envelope = 1,
    Body = 2,
    BodyStructure = 3,

    /// <summary>The message's most asked-for header fields as stored (see Commands.CachedHeaderFields).</summary>
    HeaderFields = 4,

    /// <summary>RFC 8970 PREVIEW's text, in wire form.</summary>
    Preview = 5,
}

/// <summary>
/// What FETCH computes from a message's MIME structure (ENVELOPE, BODY, BODYSTRUCTURE in wire
/// form), kept beside the mailbox index so that a second FETCH of a large mailbox parses
/// nothing. Append-only records keyed by UID and a fingerprint of the message (its size and
/// internal date), for the UIDVALIDITY in the header: an entry is served only for the message
/// it was made from, even if a mailbox re-created under the same name found this file again.
/// A cache: a damaged or foreign file is simply started again, and losing it loses nothing.
/// The file is private to the user (0600, see <see cref="State.PrivateFiles"/>).
/// <para>
/// Sessions of several processes add to one file at once, so records are written with
/// <c>O_APPEND</c> (one write each: two records never overlap), and the file is never truncated
/// in place: it is replaced (temporary file and rename) to start again or to drop the records of
/// expunged messages (<see cref="CompactIfWasteful"/>), and a session that finds the name
/// pointing at a new file moves to it. Without that, a busy mailbox's cache grew without bound
/// (80 MB for 17 messages after five minutes of 50 clients) and, once two writes had overlapped,
/// no session could read anything after the damage.
/// </para>
/// </summary>
public sealed class FetchCache : IDisposable
{
    /// <summary>F4: records checked with CRC-32C (the CPU's instruction) instead of a byte-at-a-time FNV-1a; an F3 file is started again.</summary>
    private const string Magic = "IMAP4DF4";
    private const byte RecordMark = 0xC5;
    private const int HeaderSize = 12;
    /// <summary>Mark, UID, item, fingerprint, length and a checksum of the data (a torn record that others wrote past is not served).</summary>
    private const int RecordHeaderSize = 22;
    private const int MaxItemSize = 4 * 1024 * 1024;
    private const int ScanBlockSize = 1024 * 1024;
    private const int ReadWindowSize = 256 * 1024;
    private const int SmallReadSize = 8 * 1024;

    /// <summary>Below this size a cache is never rewritten to drop dead records.</summary>
    public const long CompactionFloor = 256 * 1024;

    private static readonly FetchCacheItem[] Items =
        [FetchCacheItem.Envelope, FetchCacheItem.Body, FetchCacheItem.BodyStructure, FetchCacheItem.HeaderFields];

    private readonly string _path;
    private readonly uint _uidValidity;
    private readonly Func<MessageInfo, ulong> _fingerprintOf;
    private readonly EntryTable _entries = new();
    private FileStream _file;

    // Taken once per file: FileStream.SafeFileHandle seeks the descriptor to the stream's position on every call.
    private SafeFileHandle _handle;

    // The last block of records read for TryGet, one per item (each item's records were mostly
    // written in one pass, in UID order): a pass over a mailbox reads one block per 256 KiB of
    // an item's records, not one pread per message. A jump elsewhere reads a small block.
    private readonly ReadWindow?[] _windows = new ReadWindow?[8];
    private ulong _inode;
    private long _scanned;

    /// <summary>Garbage before the end of the file: nothing after it can be read, so nothing more is added.</summary>
    private bool _damaged;

    /// <summary>The name now holds a cache of another UIDVALIDITY (the mailbox was re-created): this one is done.</summary>
    private bool _retired;

    private FetchCache(string path, uint uidValidity, Func<MessageInfo, ulong> fingerprintOf, FileStream file)
    {
        _path = path;
        _uidValidity = uidValidity;
        _fingerprintOf = fingerprintOf;
        _file = file;
        _handle = file.SafeFileHandle;
        _inode = InodeOf(file);
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
            var cache = new FetchCache(path, uidValidity, fingerprintOf ?? FingerprintOf, OpenFile(path));
            if (!cache.HeaderMatches())
            {
                cache.Replace([]);
            }

            cache.Refresh();
            if (cache._damaged)
            {
                cache.Replace(cache.LiveRecords(null));
            }

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

    /// <summary>The size of the file this session reads and adds to.</summary>
    public long FileLength => RandomAccess.GetLength(_handle);

    public bool TryGet(MessageInfo message, FetchCacheItem item, out byte[] bytes) =>
        TryGet(message.Uid, _fingerprintOf(message), item, out bytes);

    /// <summary>The item cached for this UID and fingerprint; false when none, or when it was cached for other content.</summary>
    public bool TryGet(uint uid, ulong fingerprint, FetchCacheItem item, out byte[] bytes)
    {
        if (!_entries.TryGetValue(uid, item, out var entry) || entry.Fingerprint != fingerprint)
        {
            Refresh(); // another session may have added it
            if (!_entries.TryGetValue(uid, item, out entry) || entry.Fingerprint != fingerprint)
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
                return TryReadRecord(uid, fingerprint, item, entry.Offset, entry.Length, entry.Checksum, out bytes);
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
            if (record.Length < recordLength || !IsRecordOf(record, uid, fingerprint, item, entry.Length, entry.Checksum))
            {
                window.Length = 0; // not what the scan saw there: read afresh next time
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

    /// <summary>A record too large for the read window, read on its own (checked like the window's).</summary>
    private bool TryReadRecord(uint uid, ulong fingerprint, FetchCacheItem item, long offset, int length, uint checksum, out byte[] bytes)
    {
        var record = new byte[RecordHeaderSize + length];
        bytes = [];
        if (RandomAccess.Read(_handle, record, offset - RecordHeaderSize) != record.Length
            || !IsRecordOf(record, uid, fingerprint, item, length, checksum))
        {
            return false;
        }

        bytes = record[RecordHeaderSize..];
        return true;
    }

    /// <summary>
    /// True when the record header says exactly this message, item and length, and the data has
    /// its checksum: nothing else is ever served.
    /// </summary>
    private static bool IsRecordOf(ReadOnlySpan<byte> record, uint uid, ulong fingerprint, FetchCacheItem item, int length, uint checksum) =>
        record[0] == RecordMark
        && BinaryPrimitives.ReadUInt32LittleEndian(record[1..]) == uid
        && record[5] == (byte)item
        && BinaryPrimitives.ReadUInt64LittleEndian(record[6..]) == fingerprint
        && BinaryPrimitives.ReadInt32LittleEndian(record[14..]) == length
        && BinaryPrimitives.ReadUInt32LittleEndian(record[18..]) == checksum
        && Checksum(record.Slice(RecordHeaderSize, length)) == checksum;

    public bool Contains(MessageInfo message, FetchCacheItem item) => Contains(message.Uid, _fingerprintOf(message), item);

    /// <summary>True when the item is known to be cached (without looking for other sessions' additions).</summary>
    public bool Contains(uint uid, ulong fingerprint, FetchCacheItem item) =>
        _entries.TryGetValue(uid, item, out var entry) && entry.Fingerprint == fingerprint;

    public void Put(MessageInfo message, FetchCacheItem item, ReadOnlySpan<byte> bytes) =>
        Put(message.Uid, _fingerprintOf(message), item, bytes);

    /// <summary>Adds an item with one write at the end of the file (whole records, so readers never see half of one we wrote).</summary>
    public void Put(uint uid, ulong fingerprint, FetchCacheItem item, ReadOnlySpan<byte> bytes)
    {
        if (_damaged || _retired || bytes.Length > MaxItemSize || Contains(uid, fingerprint, item))
        {
            return;
        }

        var record = new byte[RecordHeaderSize + bytes.Length];
        uint checksum = Checksum(bytes);
        WriteRecordHeader(record, uid, item, fingerprint, bytes.Length, checksum);
        bytes.CopyTo(record.AsSpan(RecordHeaderSize));
        try
        {
            long end = RandomAccess.GetLength(_handle);

            // O_APPEND: the kernel puts the record at the end, whatever another process added since.
            RandomAccess.Write(_handle, record, end);
            if (_scanned == end && RandomAccess.GetLength(_handle) == end + record.Length)
            {
                _entries.Set(uid, item, (fingerprint, end + RecordHeaderSize, bytes.Length, checksum));
                _scanned = end + record.Length;
            }
        }
        catch (IOException)
        {
            // A cache that cannot grow only costs time.
        }
    }

    /// <summary>
    /// Adds many items with one write (a pass that caches a whole mailbox: one write per message
    /// was slow, and each could wait for the kernel to flush a mailbox just rewritten).
    /// </summary>
    public void PutMany(IReadOnlyList<(MessageInfo Message, FetchCacheItem Item, byte[] Bytes)> items)
    {
        if (_damaged || _retired || items.Count == 0)
        {
            return;
        }

        using var records = new MemoryStream();
        var added = new List<(uint Uid, FetchCacheItem Item, ulong Fingerprint, long Offset, int Length, uint Checksum)>();
        foreach (var (message, item, bytes) in items)
        {
            ulong fingerprint = _fingerprintOf(message);
            if (bytes.Length > MaxItemSize || Contains(message.Uid, fingerprint, item))
            {
                continue;
            }

            var header = new byte[RecordHeaderSize];
            uint checksum = Checksum(bytes);
            WriteRecordHeader(header, message.Uid, item, fingerprint, bytes.Length, checksum);
            records.Write(header);
            added.Add((message.Uid, item, fingerprint, records.Length, bytes.Length, checksum));
            records.Write(bytes);
        }

        if (added.Count == 0)
        {
            return;
        }

        try
        {
            long end = RandomAccess.GetLength(_handle);
            RandomAccess.Write(_handle, records.GetBuffer().AsSpan(0, (int)records.Length), end);
            if (_scanned == end && RandomAccess.GetLength(_handle) == end + records.Length)
            {
                foreach (var (uid, item, fingerprint, offset, length, checksum) in added)
                {
                    _entries.Set(uid, item, (fingerprint, end + offset, length, checksum));
                }

                _scanned = end + records.Length;
            }
        }
        catch (IOException)
        {
            // A cache that cannot grow only costs time.
        }
    }

    /// <summary>
    /// Rewrites the file with only the records of <paramref name="messages"/> (the mailbox as it
    /// is now) when it has grown to more than twice that and past <see cref="CompactionFloor"/>:
    /// records of expunged messages and superseded ones otherwise stay for ever. Returns true
    /// when it rewrote.
    /// </summary>
    public bool CompactIfWasteful(IReadOnlyList<MessageInfo> messages)
    {
        if (_retired)
        {
            return false;
        }

        try
        {
            Refresh();
            long length = RandomAccess.GetLength(_handle);
            if (length <= CompactionFloor)
            {
                return false;
            }

            var live = LiveRecords(messages);
            long liveBytes = HeaderSize + live.Sum(r => (long)RecordHeaderSize + r.Length);
            if (length <= 2 * liveBytes)
            {
                return false;
            }

            Replace(live);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _file.Dispose();

    private static FileStream OpenFile(string path) =>
        State.PrivateFiles.Open(path, FileMode.Append, FileAccess.ReadWrite, bufferSize: 1);

    /// <summary>A block of the file kept in memory: bytes [Start, Start + Length).</summary>
    private sealed class ReadWindow
    {
        public byte[] Buffer = [];
        public long Start;
        public int Length;

        public bool Holds(long start, int length) => Length > 0 && start >= Start && start + length <= Start + Length;
    }

    private static ulong InodeOf(FileStream file) =>
        Syscall.fstat((int)file.SafeFileHandle.DangerousGetHandle(), out Stat st) == 0 ? st.st_ino : 0;

    /// <summary>FNV-1a over the record's data.</summary>
    /// <summary>Checked on every read of an item (IsRecordOf): eight bytes per instruction.</summary>
    private static uint Checksum(ReadOnlySpan<byte> data) => global::Imap4d.Storage.Index.Checksum.Of(data);

    private static void WriteRecordHeader(Span<byte> record, uint uid, FetchCacheItem item, ulong fingerprint, int length, uint checksum)
    {
        record[0] = RecordMark;
        BinaryPrimitives.WriteUInt32LittleEndian(record[1..], uid);
        record[5] = (byte)item;
        BinaryPrimitives.WriteUInt64LittleEndian(record[6..], fingerprint);
        BinaryPrimitives.WriteInt32LittleEndian(record[14..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[18..], checksum);
    }

    private bool HeaderMatches()
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        return RandomAccess.Read(_handle, header, 0) == HeaderSize &&
               Encoding.ASCII.GetString(header[..8]) == Magic &&
               BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == _uidValidity;
    }

    /// <summary>The entries to keep: those of <paramref name="messages"/> with their own fingerprint, or every entry when null.</summary>
    private List<(uint Uid, FetchCacheItem Item, ulong Fingerprint, long Offset, int Length, uint Checksum)> LiveRecords(IReadOnlyList<MessageInfo>? messages)
    {
        var live = new List<(uint, FetchCacheItem, ulong, long, int, uint)>();
        if (messages is null)
        {
            foreach (var (uid, item, (fingerprint, offset, length, checksum)) in _entries.All().OrderBy(e => e.Entry.Offset))
            {
                live.Add((uid, item, fingerprint, offset, length, checksum));
            }

            return live;
        }

        foreach (var message in messages)
        {
            ulong fingerprint = _fingerprintOf(message);
            foreach (var item in Items)
            {
                if (_entries.TryGetValue(message.Uid, item, out var entry) && entry.Fingerprint == fingerprint)
                {
                    live.Add((message.Uid, item, fingerprint, entry.Offset, entry.Length, entry.Checksum));
                }
            }
        }

        return live;
    }

    /// <summary>
    /// Puts a new file with these records (read from the current one) in place of the old, and
    /// moves to it. Other sessions keep reading the old file, intact, until they notice.
    /// </summary>
    private void Replace(List<(uint Uid, FetchCacheItem Item, ulong Fingerprint, long Offset, int Length, uint Checksum)> records)
    {
        string temp = $"{_path}.new.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.{Random.Shared.Next():x}";
        try
        {
            using (var output = State.PrivateFiles.Open(temp, FileMode.CreateNew, FileAccess.Write, bufferSize: 64 * 1024))
            {
                var header = new byte[HeaderSize];
                Encoding.ASCII.GetBytes(Magic, header);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), _uidValidity);
                output.Write(header);
                var recordHeader = new byte[RecordHeaderSize];
                foreach (var (uid, item, fingerprint, offset, length, checksum) in records)
                {
                    var data = new byte[length];
                    if (RandomAccess.Read(_handle, data, offset) != length || Checksum(data) != checksum)
                    {
                        continue;
                    }

                    WriteRecordHeader(recordHeader, uid, item, fingerprint, length, checksum);
                    output.Write(recordHeader);
                    output.Write(data);
                }
            }

            File.Move(temp, _path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        MoveTo(OpenFile(_path));
    }

    private void MoveTo(FileStream file)
    {
        _file.Dispose();
        _file = file;
        _handle = file.SafeFileHandle;
        Array.Clear(_windows);
        _inode = InodeOf(file);
        _entries.Clear();
        _scanned = HeaderSize;
        _damaged = false;
        _retired = !HeaderMatches();
    }

    /// <summary>Reads the record headers added since the last look (by us or by other sessions), after moving to a replaced file.</summary>
    private void Refresh()
    {
        if (_retired)
        {
            return;
        }

        if (Syscall.stat(_path, out Stat st) == 0 && st.st_ino != _inode)
        {
            try
            {
                MoveTo(OpenFile(_path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Keep the file we have: its entries are still right for the messages they name.
            }

            if (_retired)
            {
                return;
            }
        }

        if (_scanned < HeaderSize)
        {
            _scanned = HeaderSize;
        }

        long length = RandomAccess.GetLength(_handle);
        if (_damaged || _scanned + RecordHeaderSize > length)
        {
            return;
        }

        // The file is read in large blocks (one read per block, not one per record).
        var block = LargeBuffers.Rent((int)Math.Min(ScanBlockSize, length - _scanned));
        try
        {
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
                int size = BinaryPrimitives.ReadInt32LittleEndian(head[14..]);
                if (head[0] != RecordMark || size < 0 || size > MaxItemSize)
                {
                    _damaged = true; // not a record: nothing after this point can be trusted
                    return;
                }

                if (_scanned + RecordHeaderSize + size > length)
                {
                    return; // a record still being written, or torn by a crash: stop here
                }

                uint uid = BinaryPrimitives.ReadUInt32LittleEndian(head[1..]);
                var item = (FetchCacheItem)head[5];
                ulong fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(head[6..]);
                uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(head[18..]);
                _entries.Set(uid, item, (fingerprint, _scanned + RecordHeaderSize, size, checksum)); // the latest record wins
                _scanned += RecordHeaderSize + size;
            }
        }
        finally
        {
            LargeBuffers.Return(block);
        }
    }

    /// <summary>
    /// Where each item's latest record is, one table per item keyed by UID. A UID hashes to itself,
    /// so a pass over a mailbox in UID order walks each table in order; one table keyed by
    /// (UID, item) hashed them apart (18% of a FETCH of 100,000 cached BODYSTRUCTUREs, in cache misses).
    /// Items the program does not know (a record of a later version) are not kept.
    /// </summary>
    private sealed class EntryTable
    {
        private readonly Dictionary<uint, (ulong Fingerprint, long Offset, int Length, uint Checksum)>?[] _byItem =
            new Dictionary<uint, (ulong Fingerprint, long Offset, int Length, uint Checksum)>?[8];

        public bool TryGetValue(uint uid, FetchCacheItem item, out (ulong Fingerprint, long Offset, int Length, uint Checksum) entry)
        {
            if ((int)item < _byItem.Length && _byItem[(int)item] is { } table)
            {
                return table.TryGetValue(uid, out entry);
            }

            entry = default;
            return false;
        }

        public void Set(uint uid, FetchCacheItem item, (ulong Fingerprint, long Offset, int Length, uint Checksum) entry)
        {
            if ((int)item < _byItem.Length)
            {
                (_byItem[(int)item] ??= [])[uid] = entry;
            }
        }

        public void Clear() => Array.Clear(_byItem);

        public IEnumerable<(uint Uid, FetchCacheItem Item, (ulong Fingerprint, long Offset, int Length, uint Checksum) Entry)> All()
        {
            for (int item = 0; item < _byItem.Length; item++)
            {
                if (_byItem[item] is { } table)
                {
                    foreach (var (uid, entry) in table)
                    {
                        yield return (uid, (FetchCacheItem)item, entry);
                    }
                }
            }
        }
    }
}
