using Imap4d.IO;
using System.Buffers.Binary;
using Imap4d.Storage.Index;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

/// <summary>
/// One session's copy of an MH folder's <see cref="MailboxIndex"/> (<c>.imap4d/index</c> inside the
/// folder) and the code that keeps it in step with the directory and <c>.mh_sequences</c>. Every
/// method expects the caller to hold an <see cref="MhLock"/>.
/// <para>
/// UIDs: a message is a (file number, inode) pair. A folder new to us gets UID = file number
/// (what GNU mailutils does, so its clients keep their UIDs), UIDVALIDITY from mailutils'
/// <c>.mu-prop</c> when present. A file found later gets UID = max(UIDNEXT, its number). A file that
/// changed number but kept its inode, size and mtime (<c>folder -pack</c>, <c>sortm</c>) keeps its UID;
/// a number that now names another inode (say <c>rmm 5</c> then <c>inc</c> reusing 5) is an expunge
/// plus a new UID, so a UID never names different data and UIDVALIDITY never needs to change.
/// </para>
/// </summary>
internal sealed class MhFolder
{
    public const string IndexFileName = MhLock.StateDirName + "/index";
    public const string TempPrefix = MhLock.StateDirName + "/tmp.";
    public const string MuPropFileName = ".mu-prop";

    /// <summary>A stamp this close to now may hide a later change in the same clock tick: do not trust it.</summary>
    private static readonly long FreshNs = 2_000_000_000L;

    /// <summary>Crash leftovers (our temp files) older than this are removed.</summary>
    internal static TimeSpan LeftoverAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Stored instead of a stamp that must not be trusted: never equal to a real one.</summary>
    private static readonly SourceStamp Untrusted = new(-1, -1, -1, -1);

    private SourceStamp _indexFileStamp;
    private MailboxIndex? _index;

    public MhFolder(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Grows whenever the in-memory index changes (loaded, rescanned, or changed by an operation).</summary>
    public long Generation { get; private set; }

    /// <summary>Records an operation's change to <see cref="Index"/>.</summary>
    public void Touch() => Generation++;

    public MailboxIndex Index => _index ?? throw new InvalidOperationException("not refreshed");

    public string IndexPath => System.IO.Path.Combine(Path, IndexFileName);

    public string SequencesPath => System.IO.Path.Combine(Path, MhLock.SequencesFileName);

    public string MessagePath(string key) => System.IO.Path.Combine(Path, key);

    public static long InodeOf(IndexRecord record) =>
        record.Extra is { Length: >= 16 } extra ? BinaryPrimitives.ReadInt64LittleEndian(extra) : -1;

    public static long MtimeOf(IndexRecord record) =>
        record.Extra is { Length: >= 16 } extra ? BinaryPrimitives.ReadInt64LittleEndian(extra.AsSpan(8)) : -1;

    public static byte[] MakeExtra(long inode, long mtimeNs)
    {
        var extra = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(extra, inode);
        BinaryPrimitives.WriteInt64LittleEndian(extra.AsSpan(8), mtimeNs);
        return extra;
    }

    /// <summary>
    /// Brings the index up to date: reloads it if another session saved it, rescans the directory
    /// only when its stamp changed, re-reads .mh_sequences only when its stamp changed, and saves
    /// what changed. Returns the parsed sequences when they were read (else null).
    /// </summary>
    public MhSequences? Refresh(MhLock mhLock, bool writable, bool forceSequences = false)
    {
        bool dirty = LoadIfChanged(out uint uidFloor);
        var index = Index;
        var dirStamp = SourceStamp.Of(Path);
        var seqStamp = SourceStamp.Of(SequencesPath);
        bool scan = index.Source == SourceStamp.None || dirStamp != index.Source;
        bool readSequences = forceSequences || scan || seqStamp != index.Source2;
        if (!scan && !readSequences)
        {
            return null;
        }

        long now = NowNs();
        bool trustDirectory = true;
        if (scan)
        {
            dirty |= Rescan(writable, now, ref trustDirectory);
            if (index.UidNext < uidFloor)
            {
                index.UidNext = uidFloor;
                dirty = true;
            }
        }

        var sequences = MhSequences.Parse(mhLock.ReadSequences());
        dirty |= ApplySequences(sequences);
        var newSource = trustDirectory && now - dirStamp.MtimeNs > FreshNs ? dirStamp : Untrusted;
        var newSource2 = now - seqStamp.MtimeNs > FreshNs ? seqStamp : Untrusted;
        dirty |= newSource != index.Source || newSource2 != index.Source2;
        index.Source = newSource;
        index.Source2 = newSource2;
        if (dirty)
        {
            Generation++;
            Save(writable);
        }

        return sequences;
    }

    /// <summary>Recomputes every record's flags from <paramref name="sequences"/>; true when one changed.</summary>
    public bool ApplySequences(MhSequences sequences)
    {
        var index = Index;
        var keywordSequences = MhFlagMap.KeywordSequences(sequences);
        bool changed = false;
        for (int i = 0; i < index.Records.Count; i++)
        {
            var record = index.Records[i];
            var flags = MhFlagMap.Read(sequences, keywordSequences, int.Parse(record.Key), record.Flags);
            if (!flags.Equals(record.Flags))
            {
                index.Records[i] = record with { Flags = flags, ModSeq = ++index.HighestModSeq };
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Notes that .mh_sequences now holds what the index says (after our own write).</summary>
    public void SequencesWritten()
    {
        var stamp = SourceStamp.Of(SequencesPath);
        Index.Source2 = NowNs() - stamp.MtimeNs > FreshNs ? stamp : Untrusted;
    }

    /// <summary>Writes the index (temp + fsync + rename) unless the folder is not writable to us.</summary>
    public void Save(bool writable)
    {
        if (!writable)
        {
            return;
        }

        Index.Save(IndexPath);
        _indexFileStamp = SourceStamp.Of(IndexPath);
    }

    /// <summary>True when this process may create files in the folder.</summary>
    public bool CanWrite() => Syscall.access(Path, AccessModes.W_OK) == 0;

    public static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private bool LoadIfChanged(out uint uidFloor)
    {
        uidFloor = 0;
        var stamp = SourceStamp.Of(IndexPath);
        if (_index is not null && stamp == _indexFileStamp && stamp != SourceStamp.None)
        {
            return false;
        }

        var loaded = stamp == SourceStamp.None ? null : MailboxIndex.TryLoad(IndexPath);
        _indexFileStamp = stamp;
        Generation++;
        if (loaded is not null)
        {
            _index = loaded;
            return false;
        }

        // New to us (or the cache was lost): UID = file number, UIDVALIDITY as mailutils had it.
        var (muValidity, muNext) = ReadMuProp();
        _index = new MailboxIndex
        {
            UidValidity = muValidity != 0 ? muValidity : (uint)Math.Max(1, DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        };
        uidFloor = muNext;
        return true;
    }

    private (uint Validity, uint Next) ReadMuProp()
    {
        uint validity = 0;
        uint next = 0;
        try
        {
            foreach (string line in File.ReadLines(System.IO.Path.Combine(Path, MuPropFileName)))
            {
                int colon = line.IndexOf(':');
                if (colon < 0)
                {
                    continue;
                }

                string name = line[..colon].Trim();
                _ = uint.TryParse(line[(colon + 1)..].Trim(), out uint value);
                if (name == "uid-validity")
                {
                    validity = value;
                }
                else if (name is "uidnext" or "next-uid")
                {
                    next = value;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return (validity, next);
    }

    private bool Rescan(bool writable, long now, ref bool trustDirectory)
    {
        var index = Index;
        var entries = ReadDirectory(writable, now);
        var byKey = new Dictionary<string, IndexRecord>(index.Records.Count);
        foreach (var record in index.Records)
        {
            byKey.TryAdd(record.Key, record);
        }

        var kept = new List<IndexRecord>(entries.Count);
        var keptUids = new HashSet<uint>();
        var unmatched = new List<(int Number, long Inode)>();
        bool changed = false;
        foreach (var (number, inode) in entries)
        {
            if (byKey.TryGetValue(number.ToString(), out var record) && InodeOf(record) == inode)
            {
                if (RecheckIfFresh(record, now, ref trustDirectory) is not null)
                {
                    kept.Add(record);
                    keptUids.Add(record.Uid);
                }
                else
                {
                    unmatched.Add((number, inode));
                    changed = true;
                }
            }
            else
            {
                unmatched.Add((number, inode));
            }
        }

        var missingByInode = new Dictionary<long, IndexRecord>();
        foreach (var record in index.Records.Where(r => !keptUids.Contains(r.Uid)))
        {
            missingByInode.TryAdd(InodeOf(record), record);
        }

        foreach (var (number, inode) in unmatched.OrderBy(u => u.Number))
        {
            string key = number.ToString();
            if (Syscall.lstat(MessagePath(key), out var st) != 0 || (st.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
            {
                continue;
            }

            long mtime = st.st_mtime * 1_000_000_000L + st.st_mtime_nsec;
            if (missingByInode.Remove((long)st.st_ino, out var moved) && moved.Length == st.st_size && MtimeOf(moved) == mtime)
            {
                kept.Add(moved with { Key = key });
                keptUids.Add(moved.Uid);
                changed = true;
                continue;
            }

            long size;
            try
            {
                using var stream = new FileStream(MessagePath(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
                size = LfToCrlfStream.MeasureCrlf(stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (now - mtime <= FreshNs)
            {
                trustDirectory = false;
            }

            uint uid = Math.Max(index.UidNext, (uint)number);
            index.UidNext = uid + 1;
            var date = DateTimeOffset.FromUnixTimeMilliseconds(mtime / 1_000_000);
            kept.Add(new IndexRecord(uid, FlagSet.Empty, date, size, ++index.HighestModSeq, key,
                Length: st.st_size, Extra: MakeExtra((long)st.st_ino, mtime)));
            keptUids.Add(uid);
            changed = true;
        }

        changed |= kept.Count != index.Records.Count;
        kept.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        index.Records = kept;
        return changed;
    }

    /// <summary>
    /// Stats a file whose number and inode match its record. A file that changed since we measured it
    /// is still being written (nmh's inc writes in place) or was replaced by one that got the freed inode
    /// (ext4 reuses them at once): either way the old UID must not name it, and it becomes a new message.
    /// This costs a stat per message, but only when the directory changed.
    /// </summary>
    private IndexRecord? RecheckIfFresh(IndexRecord record, long now, ref bool trustDirectory)
    {
        if (Syscall.stat(MessagePath(record.Key), out var st) != 0)
        {
            return null;
        }

        long current = st.st_mtime * 1_000_000_000L + st.st_mtime_nsec;
        if (now - current <= FreshNs)
        {
            trustDirectory = false;
        }

        return st.st_size == record.Length && current == MtimeOf(record) ? record : null;
    }

    /// <summary>The numbered entries of the folder with their inodes; removes old crash leftovers of ours.</summary>
    private List<(int Number, long Inode)> ReadDirectory(bool writable, long now)
    {
        var result = new List<(int, long)>();
        IntPtr dir = Syscall.opendir(Path);
        if (dir == IntPtr.Zero)
        {
            var errno = Stdlib.GetLastError();
            throw errno == Errno.ENOENT
                ? new StorageException(StorageError.NotFound, "No such mailbox", Path)
                : new StorageException(StorageError.Temporary, "Cannot read mailbox", Path + ": " + errno);
        }

        var leftovers = new List<string>();
        try
        {
            Dirent? entry;
            while ((entry = Syscall.readdir(dir)) is not null)
            {
                string name = entry.d_name;
                if (IsMessageName(name, out int number))
                {
                    result.Add((number, (long)entry.d_ino));
                }
            }
        }
        finally
        {
            Syscall.closedir(dir);
        }

        string stateDir = System.IO.Path.Combine(Path, MhLock.StateDirName);
        if (writable && Directory.Exists(stateDir))
        {
            leftovers.AddRange(Directory.EnumerateFiles(stateDir).Select(System.IO.Path.GetFileName).OfType<string>().Where(IsOurTemporary));
        }

        foreach (string name in leftovers)
        {
            string full = System.IO.Path.Combine(stateDir, name);
            // ctime, not mtime: APPEND sets a temp file's mtime to the internal date, which may be old.
            if (Syscall.lstat(full, out var st) == 0 && now - (st.st_ctime * 1_000_000_000L) > LeftoverAge.Ticks * 100)
            {
                Syscall.unlink(full);
            }
        }

        return result;
    }

    /// <summary>An MH message file name: a positive decimal number without sign or leading zero.</summary>
    public static bool IsMessageName(string name, out int number)
    {
        number = 0;
        if (name.Length is 0 or > 9 || name[0] == '0' || !name.All(char.IsAsciiDigit))
        {
            return false;
        }

        number = int.Parse(name);
        return true;
    }

    private static bool IsOurTemporary(string name) =>
        name.StartsWith("tmp.", StringComparison.Ordinal)
        || name.StartsWith("index.tmp.", StringComparison.Ordinal)
        || name.StartsWith("seq-journal.tmp.", StringComparison.Ordinal);
}
