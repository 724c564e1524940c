using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Imap4d.Storage.Index;
using Imap4d.Storage.State;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// <c>imap4d.index</c> of a maildir: the header of <see cref="MailboxIndex"/> and one record per
/// message written straight from and read straight into <see cref="MaildirEntry"/> objects: no
/// intermediate record, no "cur/" + name string or byte array per message, the key not stored
/// beside the name it begins. (Through <see cref="MailboxIndex"/> the first SELECT of 10,000
/// messages spent a fifth of its time building and writing the index.) Written whole into one
/// buffer, to a temporary file renamed over the old one; a cache: a file that does not parse is
/// treated as missing and the maildir is scanned again.
/// </summary>
internal static class MaildirIndexFile
{
    private static readonly byte[] Magic = "IMAP4DMD"u8.ToArray();
    private const int Version = 2;

    /// <summary>Version 1 had no <see cref="OwnStamps"/>: still read (as none).</summary>
    private const int VersionWithoutOwnStamps = 1;

    /// <summary>A date or size not known yet (the file not stat'ed): see <see cref="MaildirEntry"/>.</summary>
    private const long Unknown = long.MinValue;

    /// <summary>Everything but the records.</summary>
    /// <param name="Cur">The stamp of cur/ when a listing made the records (none: unknown).</param>
    /// <param name="New">The same for new/.</param>
    /// <param name="Own">Stamps of cur/ and new/ taken after our own changes instead of a listing (see <see cref="OwnStamps"/>); null: none.</param>
    public sealed record Header(uint UidValidity, uint UidNext, uint RecentBoundary, ulong HighestModSeq, SourceStamp Cur, SourceStamp New,
        OwnStamps? Own = null);

    /// <summary>
    /// The stamps cur/ and new/ had after our own renames and unlinks (taken once the clock tick of
    /// the last one was over), trusted by every session from <paramref name="SinceNs"/> until
    /// <paramref name="UntilNs"/> (wall clock, ns since the epoch), after which one listing is due:
    /// a foreign change made while our changes ran ends in the same stamp (see the README).
    /// </summary>
    public sealed record OwnStamps(SourceStamp Cur, SourceStamp New, long SinceNs, long UntilNs)
    {
        /// <summary>Trusted at wall-clock time <paramref name="nowNs"/> (a clock set back before they were taken trusts none).</summary>
        public bool TrustedAt(long nowNs) => SinceNs <= nowNs && nowNs < UntilNs;
    }

    public static void Save(string path, Header header, ICollection<MaildirEntry> entries)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
        {
            throw new IOException("cannot make a private directory " + directory);
        }

        var keywordIds = new Dictionary<string, int>(FlagSet.KeywordComparer);
        var keywords = new List<string>();
        var ordered = new MaildirEntry[entries.Count];
        entries.CopyTo(ordered, 0);
        bool inOrder = true;
        for (int i = 0; i < ordered.Length; i++)
        {
            var entry = ordered[i];
            inOrder &= i == 0 || ordered[i - 1].Uid < entry.Uid;
            if (entry.Flags.Keywords.Count == 0)
            {
                continue;
            }

            foreach (string keyword in entry.Flags.Keywords)
            {
                if (keywordIds.TryAdd(keyword, keywords.Count))
                {
                    keywords.Add(keyword);
                }
            }
        }

        if (!inOrder)
        {
            // The entries come in UID order unless the state had removals and additions since it was loaded.
            var uids = new uint[ordered.Length];
            for (int i = 0; i < ordered.Length; i++)
            {
                uids[i] = ordered[i].Uid;
            }

            Array.Sort(uids, ordered);
        }

        string temp = path + ".tmp." + Environment.ProcessId;
        using (var stream = PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write, 1))
        {
            // Written through one buffer of a fixed size, not built whole in memory first (a 100,000
            // message index is 10 MB; the buffer had room for three bytes per name character).
            var writer = new Writer(stream, Math.Clamp(512 + (ordered.Length * 128L), 4096, Writer.MaxBufferSize));
            writer.Bytes(Magic);
            writer.Int32(Version);
            writer.UInt32(header.UidValidity);
            writer.UInt32(header.UidNext);
            writer.UInt32(header.RecentBoundary);
            writer.UInt64(header.HighestModSeq);
            writer.Stamp(header.Cur);
            writer.Stamp(header.New);
            var own = header.Own ?? new OwnStamps(SourceStamp.None, SourceStamp.None, 0, 0);
            writer.Stamp(own.Cur);
            writer.Stamp(own.New);
            writer.Int64(own.SinceNs);
            writer.Int64(own.UntilNs);
            writer.Int32(keywords.Count);
            foreach (string keyword in keywords)
            {
                writer.String(keyword);
            }

            writer.Int32(ordered.Length);
            foreach (var entry in ordered)
            {
                writer.UInt32(entry.Uid);
                writer.Byte((byte)entry.Flags.System);
                var entryKeywords = entry.Flags.Keywords;
                writer.UInt16((ushort)entryKeywords.Count);
                if (entryKeywords.Count > 0)
                {
                    foreach (string keyword in entryKeywords)
                    {
                        writer.UInt16((ushort)keywordIds[keyword]);
                    }
                }

                writer.Int64(entry.InternalDate.ToUnixTimeMilliseconds());
                writer.Int16((short)entry.InternalDate.Offset.TotalMinutes);
                writer.Int64(entry.Size);
                writer.UInt64(entry.ModSeq);
                writer.Int64(entry.FileSize);
                writer.Byte(entry.Dir == "cur" ? (byte)0 : entry.Dir == "new" ? (byte)1 : throw new IOException("bad directory " + entry.Dir));
                writer.String(entry.Name);
            }

            writer.Bytes(Magic);
            writer.Flush();
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The index at <paramref name="path"/>; null when missing, unreadable, or not one of ours.</summary>
    public static (Header Header, List<MaildirEntry> Entries)? TryLoad(string path)
    {
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            var reader = new Reader(bytes);
            if (!reader.Bytes(Magic.Length).SequenceEqual(Magic))
            {
                return null;
            }

            int version = reader.Int32();
            if (version is not (Version or VersionWithoutOwnStamps))
            {
                return null;
            }

            var header = new Header(reader.UInt32(), reader.UInt32(), reader.UInt32(), reader.UInt64(), reader.Stamp(), reader.Stamp());
            if (version == Version)
            {
                var own = new OwnStamps(reader.Stamp(), reader.Stamp(), reader.Int64(), reader.Int64());
                header = header with { Own = own.UntilNs == 0 ? null : own };
            }
            var keywords = new string[reader.Count(bytes.Length)];
            for (int i = 0; i < keywords.Length; i++)
            {
                keywords[i] = reader.String();
            }

            int count = reader.Count(bytes.Length / 40);
            var entries = new List<MaildirEntry>(count);
            for (int i = 0; i < count; i++)
            {
                uint uid = reader.UInt32();
                var system = (MessageFlags)reader.Byte();
                int keywordCount = reader.UInt16();
                FlagSet flags;
                if (keywordCount == 0)
                {
                    flags = FlagSet.Of(system);
                }
                else
                {
                    var names = new string[keywordCount];
                    for (int k = 0; k < keywordCount; k++)
                    {
                        names[k] = keywords[reader.UInt16()];
                    }

                    flags = FlagSet.Of(system, names);
                }

                long dateMs = reader.Int64();
                short offsetMinutes = reader.Int16();
                long size = reader.Int64();
                ulong modSeq = reader.UInt64();
                long fileSize = reader.Int64();
                string dir = reader.Byte() switch
                {
                    0 => "cur",
                    1 => "new",
                    _ => throw new FormatException("bad directory"),
                };
                string name = reader.String();
                entries.Add(new MaildirEntry
                {
                    Uid = uid,
                    Key = MaildirFileName.KeyOf(name),
                    Dir = dir,
                    Name = name,
                    Flags = flags,
                    InternalDate = DateTimeOffset.FromUnixTimeMilliseconds(dateMs).ToOffset(TimeSpan.FromMinutes(offsetMinutes)),
                    Size = size,
                    FileSize = fileSize,
                    ModSeq = modSeq,
                });
            }

            return reader.Bytes(Magic.Length).SequenceEqual(Magic) && reader.AtEnd ? (header, entries) : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Little-endian fields through one buffer into <paramref name="sink"/> (written when full and at <see cref="Flush"/>).</summary>
    private sealed class Writer(Stream sink, long capacity)
    {
        /// <summary>Below the large object heap's threshold (85,000 bytes): an index saved after every STORE of a small maildir takes no large object each time.</summary>
        public const int MaxBufferSize = 80 * 1024;

        private byte[] _buffer = new byte[capacity];
        private int _length;

        public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

        public void Byte(byte value) => Take(1)[0] = value;

        public void Int16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Take(2), value);

        public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

        public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

        public void Stamp(SourceStamp stamp)
        {
            Int64(stamp.Size);
            Int64(stamp.MtimeNs);
            Int64(stamp.Inode);
            Int64(stamp.CtimeNs);
        }

        /// <summary>A 32-bit byte count, then the UTF-8 bytes.</summary>
        public void String(string value)
        {
            var target = Take(4 + value.Length * 3);
            // What Encoding.UTF8.GetBytes does (a lone surrogate becomes U+FFFD), without its overhead per call.
            Utf8.FromUtf16(value, target[4..], out _, out int written);
            BinaryPrimitives.WriteInt32LittleEndian(target, written);
            _length -= target.Length - 4 - written;
        }

        public void Flush()
        {
            sink.Write(_buffer, 0, _length);
            _length = 0;
        }

        private Span<byte> Take(int count)
        {
            if (_length + count > _buffer.Length)
            {
                Flush();
                if (count > _buffer.Length)
                {
                    _buffer = new byte[count];
                }
            }

            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }

    /// <summary>Reads what <see cref="Writer"/> wrote; throws <see cref="FormatException"/> past the end.</summary>
    private sealed class Reader(byte[] bytes)
    {
        private int _position;

        public bool AtEnd => _position == bytes.Length;

        public ReadOnlySpan<byte> Bytes(int count) => Take(count);

        public byte Byte() => Take(1)[0];

        public short Int16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public SourceStamp Stamp() => new(Int64(), Int64(), Int64(), Int64());

        /// <summary>A count between 0 and <paramref name="limit"/>.</summary>
        public int Count(int limit)
        {
            int count = Int32();
            return count >= 0 && count <= limit ? count : throw new FormatException("bad count");
        }

        public string String() => Encoding.UTF8.GetString(Take(Count(bytes.Length)));

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > bytes.Length - _position)
            {
                throw new FormatException("index truncated");
            }

            var span = bytes.AsSpan(_position, count);
            _position += count;
            return span;
        }
    }
}
