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

            return reader.ReadString() == Magic ? index : null;
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

            writer.Write(Records.Count);
            foreach (var record in Records)
            {
                WriteRecord(writer, record, keywordIds);
            }

            writer.Write(Magic);
            writer.Flush();
        }

        File.Move(temp, path, overwrite: true);
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
