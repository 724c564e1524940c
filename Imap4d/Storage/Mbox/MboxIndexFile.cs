using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Imap4d.IO;
using Imap4d.Storage.Index;
using Imap4d.Storage.State;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The index of an mbox on disk, shared by every session of the user: a fixed 4 KiB header and
/// fixed-size records, so that a session reads it with a couple of reads and no parsing, a
/// STATUS reads the header alone, and a change writes only what changed.
/// <para>Header (little-endian): magic <c>IMAP4DMB</c>, version, header and record sizes, state
/// (bit 0: an update in place is under way), a random file id, a change counter (every write)
/// and a modify counter (writes in place), UIDVALIDITY, UIDNEXT, the recent boundary, the
/// number of records, HIGHESTMODSEQ, the stamp of the mbox (size, mtime, inode, ctime), the
/// unseen and recent counts, how many records wait for a write-back (dirty, no Status O), the keyword names (a record's keyword bitmap indexes them; at most
/// 64), and a CRC-32C of the header. Record (80 bytes): UID, system flags, state bits, the
/// internal date's zone, the internal date, the client size, the keyword bitmap, the message's
/// MODSEQ (for CONDSTORE), its From line offset, the lengths of the From line and the header, the
/// content end offset, the save date (RFC 8514 SAVEDATE, Unix seconds), the length of the tail to
/// the next message, and a CRC-32C of the record. A file of another version is not read (the
/// mailbox is parsed again and the index written anew).</para>
/// <para>Updates, always under the mailbox lock: new messages are records written past the
/// last one, then the header (count and counters) over the old; readers ignore records beyond
/// the header's count, so a writer killed in between changed nothing. Changes in place (a
/// STORE) first mark the header "in progress", then write the records, then the header; a
/// reader finding the mark takes the file as suspect and checks every record. Anything else
/// (a full parse, an expunge, a write-back) writes a new file and renames it over the old one.
/// Nothing is fsynced: this is a cache, checked on every read and rebuilt from the mbox when
/// it does not check out (a CRC, a UID out of order, an offset outside the file, another
/// version), never the only copy of anything but flags not yet written back.</para>
/// </summary>
internal sealed class MboxIndexFile : IDisposable
{
    public const int HeaderSize = 4096;
    public const int RecordSize = MboxRecordLayout.Size;
    public const int MaxKeywords = MboxRecordLayout.MaxKeywords;

    /// <summary>2: records carry the save date (RFC 8514) in place of absolute header and body offsets (now lengths).</summary>
    private const int Version = 2;
    private const int InProgress = 1;
    private const int KeywordsAt = 128;
    private const int ChecksumAt = HeaderSize - 4;
    private static ReadOnlySpan<byte> Magic => "IMAP4DMB"u8;

    private readonly string _path;
    private SafeFileHandle? _handle;
    private long _handleInode = -1;

    public MboxIndexFile(string path)
    {
        _path = path;
    }

    /// <summary>What a session last read or wrote; compared to the header to notice others' writes.</summary>
    public readonly record struct Stamp(ulong FileId, ulong Counter, ulong ModifyCounter, int Count, bool InProgress)
    {
        public static Stamp None { get; } = default;

        /// <summary>True when the file described by <paramref name="now"/> is this one with records only added.</summary>
        public bool GrewInto(Stamp now) =>
            FileId != 0 && now.FileId == FileId && now.ModifyCounter == ModifyCounter && now.Count >= Count && !now.InProgress;
    }

    /// <summary>The header as read: what <see cref="Stamp"/> compares plus what STATUS needs.</summary>
    public sealed record Header(
        Stamp Stamp,
        uint UidValidity,
        uint UidNext,
        uint RecentBoundary,
        ulong HighestModSeq,
        SourceStamp Source,
        uint Unseen,
        uint Recent,
        int Dirty,
        int NotOld,
        string[] Keywords);

    /// <summary>The header of the file now at the path; null when there is none or it does not check out.</summary>
    public Header? ReadHeader()
    {
        var handle = Handle();
        if (handle is null)
        {
            return null;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(HeaderSize);
        try
        {
            return RandomAccess.Read(handle, bytes.AsSpan(0, HeaderSize), 0) == HeaderSize ? Decode(bytes.AsSpan(0, HeaderSize)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Without any lock: true when the file at the path is still the one of <paramref name="known"/>
    /// and no write followed it (a stat and a read of the first bytes of the header).
    /// </summary>
    public bool Unchanged(Stamp known)
    {
        if (known.FileId == 0 || _handle is null || Syscall.stat(_path, out Stat st) != 0 || (long)st.st_ino != _handleInode)
        {
            return known.FileId == 0 && Syscall.stat(_path, out _) != 0;
        }

        Span<byte> head = stackalloc byte[48];
        try
        {
            if (RandomAccess.Read(_handle, head, 0) != head.Length)
            {
                return false;
            }
        }
        catch (IOException)
        {
            return false;
        }

        return (BinaryPrimitives.ReadInt32LittleEndian(head[20..]) & InProgress) == 0
               && BinaryPrimitives.ReadUInt64LittleEndian(head[24..]) == known.FileId
               && BinaryPrimitives.ReadUInt64LittleEndian(head[32..]) == known.Counter;
    }

    /// <summary>
    /// The whole index; null when the file is missing or any part of it does not check out. The
    /// records stay in their file form (one read of the file, each record checked, none decoded:
    /// see <see cref="MboxIndex.FromEncoded"/>).
    /// </summary>
    public MboxIndex? Load(out Stamp stamp)
    {
        stamp = Stamp.None;
        var header = ReadHeader();
        if (header is null)
        {
            return null;
        }

        int count = header.Stamp.Count;
        if (count > Array.MaxLength / RecordSize)
        {
            return null;
        }

        var cached = RecordsCache.Find(_path, header.Stamp);
        byte[] bytes;
        KeywordSets keywords;
        if (cached is { } hit && hit.Count == count)
        {
            bytes = hit.Bytes;
            keywords = SameNames(hit.Keywords, header.Keywords) ? hit.Keywords : new KeywordSets(header.Keywords);
        }
        else
        {
            // Read afresh, or only the records added since the cached copy.
            int known = cached?.Count ?? 0;
            bytes = GC.AllocateUninitializedArray<byte>(count * RecordSize);
            cached?.Bytes.AsSpan(0, known * RecordSize).CopyTo(bytes);
            uint after = known > 0 ? MboxRecordLayout.Uid(bytes.AsSpan((known - 1) * RecordSize)) : 0;
            if (!ReadRecords(header, bytes, known, count, after))
            {
                return null;
            }

            keywords = cached is { } c && SameNames(c.Keywords, header.Keywords) ? c.Keywords : new KeywordSets(header.Keywords);
            RecordsCache.Keep(_path, header.Stamp, bytes, count, keywords);
        }

        // The bytes are shared (the cache, other sessions of this process): the index copies before any change.
        var index = MboxIndex.FromEncoded(bytes, count, keywords,
            header.Stamp.InProgress ? null : ((int)header.Unseen, header.Dirty, header.NotOld));
        Apply(header, index);
        stamp = header.Stamp;
        return index;
    }

    private static bool SameNames(KeywordSets keywords, string[] names) =>
        keywords.Names.AsSpan().SequenceEqual(names);

    /// <summary>
    /// Brings <paramref name="index"/> (read from this file at <paramref name="known"/>) up to the
    /// header <paramref name="now"/>, which only added records: reads those alone. False when they
    /// do not check out (the index is then as it was).
    /// </summary>
    public bool LoadAdded(MboxIndex index, Header now)
    {
        int from = index.Count;
        int count = now.Stamp.Count - from;
        if (count < 0 || now.Stamp.Count > Array.MaxLength / RecordSize)
        {
            return false;
        }

        var bytes = new byte[count * RecordSize];
        uint after = from > 0 ? index.UidAt(from - 1) : 0;
        if (!ReadRecords(now, bytes, 0, count, after, first: from))
        {
            return false;
        }

        var keywords = new KeywordSets(now.Keywords);
        for (int i = 0; i < count; i++)
        {
            index.Add(MboxRecordLayout.Decode(bytes.AsSpan(i * RecordSize, RecordSize), keywords));
        }

        Apply(now, index);
        return true;
    }

    private static void Apply(Header header, MboxIndex index)
    {
        index.UidValidity = header.UidValidity;
        index.UidNext = header.UidNext;
        index.RecentBoundary = header.RecentBoundary;
        index.HighestModSeq = header.HighestModSeq;
        index.Source = header.Source;
        index.MarkSaved();
    }

    /// <summary>
    /// Reads the file's records [first + at, first + count) into <paramref name="into"/> from record
    /// <paramref name="at"/> on, in one read, and checks each and their order (UIDs ascending above
    /// <paramref name="after"/>, below UIDNEXT). <paramref name="first"/> is where record 0 of
    /// <paramref name="into"/> lies in the file.
    /// </summary>
    private bool ReadRecords(Header header, byte[] into, int at, int count, uint after, int first = 0)
    {
        if (count <= at)
        {
            return true;
        }

        try
        {
            var span = into.AsSpan(at * RecordSize, (count - at) * RecordSize);
            long position = HeaderSize + (long)(first + at) * RecordSize;
            for (int done = 0; done < span.Length;)
            {
                int n = RandomAccess.Read(_handle!, span[done..], position + done);
                if (n <= 0)
                {
                    return false;
                }

                done += n;
            }
        }
        catch (IOException)
        {
            return false;
        }

        int keywordCount = header.Keywords.Length;
        long fileSize = header.Source.Size;
        uint uidNext = header.UidNext;
        const int checksummed = MboxRecordLayout.ChecksummedLength;
        int i = at;
        for (; i + 4 <= count; i += 4)
        {
            var four = into.AsSpan(i * RecordSize, 4 * RecordSize);
            var (c0, c1, c2, c3) = Checksum.OfFour(four[..checksummed], four.Slice(RecordSize, checksummed),
                four.Slice(2 * RecordSize, checksummed), four.Slice(3 * RecordSize, checksummed));
            if (!MboxRecordLayout.HasChecksum(four, c0) || !MboxRecordLayout.HasChecksum(four[RecordSize..], c1)
                || !MboxRecordLayout.HasChecksum(four[(2 * RecordSize)..], c2) || !MboxRecordLayout.HasChecksum(four[(3 * RecordSize)..], c3))
            {
                return false;
            }

            for (int k = 0; k < 4; k++)
            {
                var record = four.Slice(k * RecordSize, RecordSize);
                uint uid = MboxRecordLayout.Uid(record);
                if (uid <= after || uid >= uidNext || !MboxRecordLayout.FieldsAreValid(record, keywordCount, fileSize))
                {
                    return false;
                }

                after = uid;
            }
        }

        for (; i < count; i++)
        {
            var record = into.AsSpan(i * RecordSize, RecordSize);
            uint uid = MboxRecordLayout.Uid(record);
            if (uid <= after || uid >= uidNext || !MboxRecordLayout.IsValid(record, keywordCount, fileSize))
            {
                return false;
            }

            after = uid;
        }

        return true;
    }

    /// <summary>
    /// Writes the whole index to a new file and renames it over the old one. Throws IOException or
    /// UnauthorizedAccessException (the caller logs and goes on with the index in memory);
    /// <see cref="KeywordsDoNotFitException"/> when the mailbox has more keywords than the format holds.
    /// </summary>
    public Stamp SaveAll(MboxIndex index, Stamp previous)
    {
        string? directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
        {
            throw new IOException("cannot make a private directory " + directory);
        }

        var stamp = new Stamp(NewFileId(previous.FileId), 1, 1, index.Count, false);
        byte[]? header = null;
        List<string> keywords;
        if (index.IsEncoded)
        {
            // The records are in the file's form already: with their own keyword names, written as they are.
            keywords = [.. index.EncodedRecords.Keywords.Names];
            try
            {
                header = Encode(index, stamp, keywords);
            }
            catch (KeywordsDoNotFitException)
            {
                // names no longer used may be what does not fit: encode anew with those in use
            }
        }

        bool raw = header is not null;
        if (header is null)
        {
            keywords = index.KeywordsInUse();
            header = Encode(index, stamp, keywords);
        }
        else
        {
            keywords = [];
        }

        var ids = KeywordIds(keywords);
        string temp = _path + ".tmp." + Environment.ProcessId;
        try
        {
            using (var stream = PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write, 1 << 16))
            {
                stream.Write(header);
                if (raw)
                {
                    stream.Write(index.EncodedRecords.Bytes.AsSpan(0, index.Count * RecordSize));
                }
                else
                {
                    var record = new byte[RecordSize];
                    foreach (var r in index.Records())
                    {
                        MboxRecordLayout.Encode(r, ids, record);
                        stream.Write(record);
                    }
                }
            }

            File.Move(temp, _path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        Close();
        Handle(); // the new file, for the next look at its header
        index.MarkSaved();
        return stamp;
    }

    /// <summary>
    /// Writes what changed since <paramref name="index"/> was last saved into the file of
    /// <paramref name="current"/> in place: changed records, added records, header. Null when the
    /// file is not that one any more or cannot take the change (a new keyword that does not fit):
    /// the caller then writes it all with <see cref="SaveAll"/>.
    /// </summary>
    public Stamp? SaveChanges(MboxIndex index, Stamp current)
    {
        var header = ReadHeader();
        if (header is null || header.Stamp != current || current.InProgress || index.SavedCount > index.Count)
        {
            return null;
        }

        var changed = InOrder(index.Changed, index.Count);
        List<string> keywords;
        Dictionary<string, int> ids;
        byte[]? raw = null;
        if (index.IsEncoded && new KeywordSets(header.Keywords).IsPrefixOf(index.EncodedRecords.Keywords))
        {
            // The file's keyword bits mean what the index's do: its records are written as they are.
            raw = index.EncodedRecords.Bytes;
            keywords = [.. index.EncodedRecords.Keywords.Names];
            ids = [];
        }
        else
        {
            keywords = new List<string>(header.Keywords);
            ids = KeywordIds(keywords);
            foreach (int at in changed)
            {
                AddKeywords(index[at], keywords, ids);
            }

            for (int at = index.SavedCount; at < index.Count; at++)
            {
                AddKeywords(index[at], keywords, ids);
            }
        }

        if (keywords.Count > MaxKeywords)
        {
            return null;
        }

        bool inPlace = changed.Count > 0;
        var stamp = current with
        {
            Counter = current.Counter + 1,
            ModifyCounter = inPlace ? current.ModifyCounter + 1 : current.ModifyCounter,
            Count = index.Count,
        };
        byte[] final;
        try
        {
            final = Encode(index, stamp, keywords);
        }
        catch (KeywordsDoNotFitException)
        {
            return null;
        }

        var handle = _handle!;
        if (inPlace)
        {
            RandomAccess.Write(handle, Encode(index, stamp with { InProgress = true }, keywords), 0);
            WriteRuns(handle, index, changed, ids, raw);
        }

        if (index.Count > index.SavedCount)
        {
            WriteRange(handle, index, index.SavedCount, index.Count, ids, raw);
        }

        RandomAccess.Write(handle, final, 0);
        index.MarkSaved();
        return stamp;
    }

    /// <summary>STATUS from the header alone, when it describes the mbox as <paramref name="mbox"/> now is; else null.</summary>
    public static MailboxStatus? ReadStatus(string path, SourceStamp mbox)
    {
        var header = mbox == SourceStamp.None ? null : ReadHeaderOnce(path);
        if (header is null || header.Stamp.InProgress || header.UidValidity == 0 || header.Source != mbox || mbox == SourceStamp.None)
        {
            return null;
        }

        return new MailboxStatus((uint)header.Stamp.Count, header.Recent, header.UidNext, header.UidValidity, header.Unseen, header.HighestModSeq);
    }

    /// <summary>
    /// The header of the file at <paramref name="path"/> read through a descriptor of its own
    /// (open, fstat, one read, close): the checks of <see cref="Handle"/> (a regular file of ours,
    /// no symbolic link) without its stat and without a handle kept.
    /// </summary>
    private static unsafe Header? ReadHeaderOnce(string path)
    {
        int fd = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return null;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(HeaderSize);
        try
        {
            if (Syscall.fstat(fd, out Stat own) != 0 || (own.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG
                                                     || own.st_uid != Syscall.geteuid())
            {
                return null;
            }

            long read;
            fixed (byte* buffer = bytes)
            {
                read = Syscall.pread(fd, buffer, HeaderSize, 0);
            }

            return read == HeaderSize ? Decode(bytes.AsSpan(0, HeaderSize)) : null;
        }
        finally
        {
            Syscall.close(fd);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        _handle?.Dispose();
        _handle = null;
        _handleInode = -1;
    }

    /// <summary>A descriptor of the file now at the path (opened again when it was replaced); null when there is none of ours.</summary>
    private SafeFileHandle? Handle()
    {
        if (Syscall.stat(_path, out Stat st) != 0)
        {
            Close();
            return null;
        }

        if (_handle is not null && (long)st.st_ino == _handleInode)
        {
            return _handle;
        }

        Close();
        int fd = Syscall.open(_path, OpenFlags.O_RDWR | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            fd = Syscall.open(_path, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC);
        }

        if (fd < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Syscall.fstat(fd, out Stat own) != 0 || (own.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG
                                                  || own.st_uid != Syscall.geteuid())
        {
            handle.Dispose();
            return null;
        }

        _handle = handle;
        _handleInode = (long)own.st_ino;
        return handle;
    }

    private static ulong NewFileId(ulong previous)
    {
        ulong id;
        do
        {
            id = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        }
        while (id == previous);

        return id;
    }

    private static Dictionary<string, int> KeywordIds(List<string> keywords)
    {
        var ids = new Dictionary<string, int>(FlagSet.KeywordComparer);
        for (int i = 0; i < keywords.Count; i++)
        {
            ids.TryAdd(keywords[i], i);
        }

        return ids;
    }

    private static void AddKeywords(in MboxRecord record, List<string> keywords, Dictionary<string, int> ids)
    {
        if (record.Flags.Keywords.Count == 0)
        {
            return; // no enumerator of an empty set (one per record)
        }

        foreach (string keyword in record.Flags.Keywords)
        {
            if (ids.TryAdd(keyword, keywords.Count))
            {
                keywords.Add(keyword);
            }
        }
    }

    /// <summary>
    /// The changed positions in order. Many (a STORE of 1:*) are marked and swept, as a comparison
    /// sort of 100,000 ints (through the comparer, in this runtime) was a tenth of the STORE.
    /// </summary>
    private static List<int> InOrder(IReadOnlyCollection<int> positions, int count)
    {
        var ordered = new List<int>(positions.Count);
        if (positions.Count > 64 && positions.All(at => (uint)at < (uint)count))
        {
            var marked = new bool[count];
            foreach (int at in positions)
            {
                marked[at] = true;
            }

            for (int at = 0; at < count; at++)
            {
                if (marked[at])
                {
                    ordered.Add(at);
                }
            }

            return ordered;
        }

        ordered.AddRange(positions);
        ordered.Sort();
        return ordered;
    }

    private static void WriteRuns(SafeFileHandle handle, MboxIndex index, List<int> changed, Dictionary<string, int> ids, byte[]? raw)
    {
        for (int i = 0; i < changed.Count;)
        {
            int start = changed[i];
            int end = start + 1;
            while (++i < changed.Count && changed[i] == end)
            {
                end++;
            }

            WriteRange(handle, index, start, Math.Min(end, index.SavedCount), ids, raw);
        }
    }

    /// <param name="raw">The index's records in the file's form (same keyword bits), written as they are; null to encode them.</param>
    private static void WriteRange(SafeFileHandle handle, MboxIndex index, int start, int end, Dictionary<string, int> ids, byte[]? raw)
    {
        if (raw is not null)
        {
            if (end > start)
            {
                RandomAccess.Write(handle, raw.AsSpan(start * RecordSize, (end - start) * RecordSize), HeaderSize + (long)start * RecordSize);
            }

            return;
        }

        const int chunk = 4096;
        var bytes = LargeBuffers.Rent(Math.Min(end - start, chunk) * RecordSize);
        try
        {
            for (int at = start; at < end;)
            {
                int n = Math.Min(end - at, chunk);
                for (int i = 0; i < n; i++)
                {
                    MboxRecordLayout.Encode(index[at + i], ids, bytes.AsSpan(i * RecordSize, RecordSize));
                }

                RandomAccess.Write(handle, bytes.AsSpan(0, n * RecordSize), HeaderSize + (long)at * RecordSize);
                at += n;
            }
        }
        finally
        {
            LargeBuffers.Return(bytes);
        }
    }

    private static byte[] Encode(MboxIndex index, Stamp stamp, List<string> keywords)
    {
        var h = new byte[HeaderSize];
        var span = h.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], HeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], RecordSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], stamp.InProgress ? InProgress : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], stamp.FileId);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], stamp.Counter);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], stamp.ModifyCounter);
        BinaryPrimitives.WriteUInt32LittleEndian(span[48..], index.UidValidity);
        BinaryPrimitives.WriteUInt32LittleEndian(span[52..], index.UidNext);
        BinaryPrimitives.WriteUInt32LittleEndian(span[56..], index.RecentBoundary);
        BinaryPrimitives.WriteInt32LittleEndian(span[60..], stamp.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(span[64..], index.HighestModSeq);
        BinaryPrimitives.WriteInt64LittleEndian(span[72..], index.Source.Size);
        BinaryPrimitives.WriteInt64LittleEndian(span[80..], index.Source.MtimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(span[88..], index.Source.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(span[96..], index.Source.CtimeNs);
        BinaryPrimitives.WriteInt32LittleEndian(span[104..], index.Unseen);
        BinaryPrimitives.WriteInt32LittleEndian(span[108..], index.Recent);
        BinaryPrimitives.WriteInt32LittleEndian(span[112..], index.DirtyCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[116..], index.NotOldCount);
        if (keywords.Count > MaxKeywords)
        {
            throw new KeywordsDoNotFitException();
        }

        int at = KeywordsAt + 4;
        foreach (string keyword in keywords)
        {
            int length = Encoding.UTF8.GetByteCount(keyword);
            if (length > 255 || at + 1 + length > ChecksumAt)
            {
                throw new KeywordsDoNotFitException();
            }

            span[at++] = (byte)length;
            at += Encoding.UTF8.GetBytes(keyword, span[at..]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(span[KeywordsAt..], keywords.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[ChecksumAt..], Checksum.Of(span[..ChecksumAt]));
        return h;
    }

    private static Header? Decode(ReadOnlySpan<byte> h)
    {
        if (!h.StartsWith(Magic) || BinaryPrimitives.ReadInt32LittleEndian(h[8..]) != Version
                                 || BinaryPrimitives.ReadInt32LittleEndian(h[12..]) != HeaderSize
                                 || BinaryPrimitives.ReadInt32LittleEndian(h[16..]) != RecordSize
                                 || BinaryPrimitives.ReadUInt32LittleEndian(h[ChecksumAt..]) != Checksum.Of(h[..ChecksumAt]))
        {
            return null;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(h[60..]);
        int keywordCount = BinaryPrimitives.ReadInt32LittleEndian(h[KeywordsAt..]);
        if (count < 0 || keywordCount is < 0 or > MaxKeywords)
        {
            return null;
        }

        var keywords = new string[keywordCount];
        int at = KeywordsAt + 4;
        for (int i = 0; i < keywordCount; i++)
        {
            int length = h[at++];
            if (length == 0 || at + length > ChecksumAt)
            {
                return null;
            }

            keywords[i] = Encoding.UTF8.GetString(h.Slice(at, length));
            at += length;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(h[104..]) > (uint)count || BinaryPrimitives.ReadUInt32LittleEndian(h[108..]) > (uint)count
            || BinaryPrimitives.ReadUInt32LittleEndian(h[112..]) > (uint)count || BinaryPrimitives.ReadUInt32LittleEndian(h[116..]) > (uint)count)
        {
            return null;
        }

        var stamp = new Stamp(
            BinaryPrimitives.ReadUInt64LittleEndian(h[24..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(h[40..]),
            count,
            (BinaryPrimitives.ReadInt32LittleEndian(h[20..]) & InProgress) != 0);
        var source = new SourceStamp(
            BinaryPrimitives.ReadInt64LittleEndian(h[72..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[80..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[88..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[96..]));
        return stamp.FileId == 0
            ? null
            : new Header(stamp,
                BinaryPrimitives.ReadUInt32LittleEndian(h[48..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[52..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[56..]),
                BinaryPrimitives.ReadUInt64LittleEndian(h[64..]),
                source,
                BinaryPrimitives.ReadUInt32LittleEndian(h[104..]),
                BinaryPrimitives.ReadUInt32LittleEndian(h[108..]),
                BinaryPrimitives.ReadInt32LittleEndian(h[112..]),
                BinaryPrimitives.ReadInt32LittleEndian(h[116..]),
                keywords);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover temporary file is overwritten by the next save
        }
    }
}

/// <summary>The mailbox uses more keywords than an index file holds (<see cref="MboxIndexFile.MaxKeywords"/>).</summary>
internal sealed class KeywordsDoNotFitException : IOException
{
    public KeywordsDoNotFitException()
        : base("more keywords than the index holds")
    {
    }
}
