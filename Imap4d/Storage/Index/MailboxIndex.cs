using System.Text;
using Imap4d.Storage.State;

namespace Imap4d.Storage.Index;

/// <summary>
/// The per-mailbox index: UIDVALIDITY, UIDNEXT, the recent boundary, the highest modification
/// sequence, the stamp of the source it describes and one record per message. It is a cache:
/// always rebuildable from the mailbox, never the only copy of mail. Written whole to a
/// temporary file, flushed and renamed over the old one, so a crash leaves either the old or
/// the new index, never a torn one; a file that does not parse is treated as missing.
/// </summary>
public sealed class MailboxIndex
{
    private const string Magic = "IMAP4DIX";
    private const int Version = 1;

    public uint UidValidity { get; set; }

    public uint UidNext { get; set; } = 1;

    /// <summary>Messages with a UID above this have not been seen by any session (they are \Recent for the next one).</summary>
    public uint RecentBoundary { get; set; }

    public ulong HighestModSeq { get; set; } = 1;

    /// <summary>The source (mbox file, maildir directories) as it was when this index was written.</summary>
    public SourceStamp Source { get; set; }

    /// <summary>A second stamp for drivers with two sources (maildir new/ and cur/, MH .mh_sequences).</summary>
    public SourceStamp Source2 { get; set; }

    public List<IndexRecord> Records { get; set; } = [];

    /// <summary>
    /// What the file this index was last read from or written to holds, for <see cref="TryAppendInPlace"/>:
    /// its keyword table, the offset of its record count, its length and how many records it holds.
    /// </summary>
    private (string[] Keywords, long CountOffset, long Length, int Count)? _file;

    /// <summary>Reads an index; null when missing, unreadable, or of another version.</summary>
    public static MailboxIndex? TryLoad(string path)
    {
        try
        {
            // Read whole, then parse from memory: BinaryReader over a FileStream pays a buffered
            // read call per field.
            using var stream = new MemoryStream(ReadAll(path), writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic || reader.ReadInt32() != Version)
            {
                return null;
            }

            var index = new MailboxIndex
            {
                UidValidity = reader.ReadUInt32(),
                UidNext = reader.ReadUInt32(),
                RecentBoundary = reader.ReadUInt32(),
                HighestModSeq = reader.ReadUInt64(),
                Source = ReadStamp(reader),
                Source2 = ReadStamp(reader),
            };
            var keywords = new string[reader.ReadInt32()];
            for (int i = 0; i < keywords.Length; i++)
            {
                keywords[i] = reader.ReadString();
            }

            long countOffset = stream.Position;
            int count = reader.ReadInt32();
            if (count < 0 || count > stream.Length / 16)
            {
                return null;
            }

            index.Records = new List<IndexRecord>(count);
            for (int i = 0; i < count; i++)
            {
                index.Records.Add(ReadRecord(reader, keywords));
            }

            if (reader.ReadString() != Magic)
            {
                return null;
            }

            index._file = (keywords, countOffset, stream.Position, count);
            return index;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException
                                      or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the index atomically (temporary file, rename), 0600 in a 0700 directory (see
    /// <see cref="PrivateFiles"/>). Failures are left to the caller. Not fsynced: the index is a
    /// cache that is checked when loaded and rebuilt from the mail when damaged, and an fsync per
    /// save cost more than the append it followed (Dovecot does not fsync its indexes either).
    /// </summary>
    public void Save(string path)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
        {
            throw new IOException("cannot make a private directory " + directory);
        }

        string temp = path + ".tmp." + Environment.ProcessId;
        var keywords = Records.SelectMany(r => r.Flags.Keywords).Distinct(FlagSet.KeywordComparer).ToList();
        var keywordIds = keywords.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i, FlagSet.KeywordComparer);
        using (var stream = PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write, 64 * 1024))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(Version);
            WriteHeaderFields(writer, keywords);

            writer.Flush();
            long countOffset = stream.Position;
            writer.Write(Records.Count);
            foreach (var record in Records)
            {
                WriteRecord(writer, record, keywordIds);
            }

            writer.Write(Magic);
            writer.Flush();
            _file = ([.. keywords], countOffset, stream.Position, Records.Count);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Adds the records from <paramref name="from"/> on to the file at <paramref name="path"/>, which
    /// must be the one this index was last read from or written to (the caller checked its stamp
    /// under the mailbox lock) and hold exactly <c>Records[..from]</c> unchanged: the new records
    /// and the end mark are written over the old end mark, then the header (UIDNEXT, MODSEQ, stamps),
    /// the unchanged keyword table and the new record count in one write. Readers hold the same lock.
    /// A process killed between the two writes leaves a file whose end mark is not where its count
    /// says, which <see cref="TryLoad"/> refuses: the cache is rebuilt from the mail, as after any
    /// damage. False (nothing written) when this cannot be done (a new keyword, a file not ours):
    /// then <see cref="Save"/>. An APPEND to a folder of 100,000 messages rewrote 9 MB.
    /// </summary>
    public bool TryAppendInPlace(string path, int from)
    {
        if (_file is not { } file || file.Count != from || from > Records.Count)
        {
            return false;
        }

        var keywordIds = new Dictionary<string, int>(FlagSet.KeywordComparer);
        for (int i = 0; i < file.Keywords.Length; i++)
        {
            keywordIds[file.Keywords[i]] = i;
        }

        for (int i = from; i < Records.Count; i++)
        {
            foreach (string keyword in Records[i].Flags.Keywords)
            {
                if (!keywordIds.ContainsKey(keyword))
                {
                    return false;
                }
            }
        }

        using var tail = new MemoryStream();
        using (var writer = new BinaryWriter(tail, Encoding.UTF8, leaveOpen: true))
        {
            for (int i = from; i < Records.Count; i++)
            {
                WriteRecord(writer, Records[i], keywordIds);
            }

            writer.Write(Magic);
        }

        using var head = new MemoryStream();
        using (var writer = new BinaryWriter(head, Encoding.UTF8, leaveOpen: true))
        {
            WriteHeaderFields(writer, file.Keywords);

            writer.Write(Records.Count);
        }

        const int HeaderStart = 8 + 4; // magic, version
        if (HeaderStart + head.Length != file.CountOffset + 4)
        {
            return false;
        }

        long markLength = 1 + Magic.Length; // BinaryWriter's length-prefixed string
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            if (RandomAccess.GetLength(handle) != file.Length)
            {
                return false;
            }

            long at = file.Length - markLength;
            RandomAccess.Write(handle, tail.GetBuffer().AsSpan(0, (int)tail.Length), at);
            RandomAccess.Write(handle, head.GetBuffer().AsSpan(0, (int)head.Length), HeaderStart);
            _file = (file.Keywords, file.CountOffset, at + tail.Length, Records.Count);
        }

        return true;
    }

    private static byte[] ReadAll(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static SourceStamp ReadStamp(BinaryReader reader) =>
        new(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());

    /// <summary>The header after the magic and version, up to the record count: what an in-place append rewrites too.</summary>
    private void WriteHeaderFields(BinaryWriter writer, IReadOnlyList<string> keywords)
    {
        writer.Write(UidValidity);
        writer.Write(UidNext);
        writer.Write(RecentBoundary);
        writer.Write(HighestModSeq);
        WriteStamp(writer, Source);
        WriteStamp(writer, Source2);
        writer.Write(keywords.Count);
        foreach (string keyword in keywords)
        {
            writer.Write(keyword);
        }
    }

    private static void WriteStamp(BinaryWriter writer, SourceStamp stamp)
    {
        writer.Write(stamp.Size);
        writer.Write(stamp.MtimeNs);
        writer.Write(stamp.Inode);
        writer.Write(stamp.CtimeNs);
    }

    private static IndexRecord ReadRecord(BinaryReader reader, string[] keywords)
    {
        uint uid = reader.ReadUInt32();
        var system = (MessageFlags)reader.ReadByte();
        int keywordCount = reader.ReadUInt16();
        var names = new string[keywordCount];
        for (int k = 0; k < keywordCount; k++)
        {
            names[k] = keywords[reader.ReadUInt16()];
        }

        long dateMs = reader.ReadInt64();
        short offsetMinutes = reader.ReadInt16();
        var date = DateTimeOffset.FromUnixTimeMilliseconds(dateMs).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        long size = reader.ReadInt64();
        ulong modSeq = reader.ReadUInt64();
        string key = reader.ReadString();
        long offset = reader.ReadInt64();
        long length = reader.ReadInt64();
        int extraLength = reader.ReadInt32();
        byte[]? extra = extraLength < 0 ? null : reader.ReadBytes(extraLength);
        var flags = keywordCount == 0 ? FlagSet.Of(system) : FlagSet.Of(system, names);
        return new IndexRecord(uid, flags, date, size, modSeq, key, offset, length, extra);
    }

    private static void WriteRecord(BinaryWriter writer, IndexRecord record, Dictionary<string, int> keywordIds)
    {
        writer.Write(record.Uid);
        writer.Write((byte)record.Flags.System);
        writer.Write((ushort)record.Flags.Keywords.Count);
        foreach (string keyword in record.Flags.Keywords)
        {
            writer.Write((ushort)keywordIds[keyword]);
        }

        writer.Write(record.InternalDate.ToUnixTimeMilliseconds());
        writer.Write((short)record.InternalDate.Offset.TotalMinutes);
        writer.Write(record.Size);
        writer.Write(record.ModSeq);
        writer.Write(record.Key);
        writer.Write(record.Offset);
        writer.Write(record.Length);
        writer.Write(record.Extra?.Length ?? -1);
        if (record.Extra is not null)
        {
            writer.Write(record.Extra);
        }
    }
}
