using Imap4d.Native;
using Imap4d.IO;
using System.Buffers.Binary;
using Imap4d.Storage.Index;
using Mono.Unix.Native;
using Imap4d.Storage.State;

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
/// <para>
/// Inode, size and mtime alone do not prove identity: ext4 hands a freed inode out again at once, and
/// a message of the same size written within the same coarse clock tick has the same mtime. So each
/// record also keeps the file's ctime and a <see cref="Fingerprint"/> of its first and last bytes. A
/// record is <em>settled</em> once its file was checked while its ctime lay before the current coarse
/// clock tick: any later replacement then has a later ctime. Until then, and
/// whenever the ctime differs or the file was renumbered, the fingerprint must match too.
/// </para>
/// </summary>
internal sealed class MhFolder
{
    public const string IndexFileName = MhLock.StateDirName + "/index";
    public const string TempPrefix = MhLock.StateDirName + "/tmp.";
    public const string MuPropFileName = MailutilsProperties.FileName;

    /// <summary>A file changed this recently may still be being written in place (nmh's inc): the folder is looked at again.</summary>
    public const long FreshNs = 2_000_000_000L;

    /// <summary>A record's <see cref="IndexRecord.Size"/> while the CRLF size of its file is not counted yet.</summary>
    public const long UnknownSize = -1;

    /// <summary>Crash leftovers (our temp files) older than this are removed.</summary>
    internal static TimeSpan LeftoverAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Stored instead of a stamp that must not be trusted: never equal to a real one.</summary>
    private static readonly SourceStamp Untrusted = new(-1, -1, -1, -1);

    private readonly UserStateDirectory _userState;
    private SourceStamp _indexFileStamp;
    private long _directoryInode = -1;
    private (uint, uint, int, SourceStamp) _mailutilsChecked;
    private MailboxIndex? _index;

    /// <param name="userState">Gives out UIDVALIDITY values (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public MhFolder(string path, UserStateDirectory? userState = null)
    {
        Path = path;
        _userState = userState ?? UserStateDirectory.FromEnvironment();
    }

    public string Path { get; }

    /// <summary>Grows whenever the in-memory index changes (loaded, rescanned, or changed by an operation).</summary>
    public long Generation { get; private set; }

    /// <summary>How many times the folder was listed and its files checked (for tests).</summary>
    internal int ScanCount { get; private set; }

    /// <summary>How many times the folder was listed, by a scan or alone (for tests).</summary>
    internal int ListCount { get; private set; }

    /// <summary>How many times a refresh read and applied .mh_sequences (for tests).</summary>
    internal int SequenceReads { get; private set; }

    /// <summary>Records an operation's change to <see cref="Index"/>.</summary>
    public void Touch() => Generation++;

    public MailboxIndex Index => _index ?? throw new InvalidOperationException("not refreshed");

    public string IndexPath => System.IO.Path.Combine(Path, IndexFileName);

    /// <summary>The durable floor of the MODSEQs, beside the index (which is a cache).</summary>
    public ModSeq.ModSeqCounter Counter => _counter ??= new ModSeq.ModSeqCounter(IndexPath + ".modseq");

    /// <summary>The UIDs expunged with their MODSEQs, for QRESYNC.</summary>
    public ModSeq.VanishedLog Vanished => _vanished ??= new ModSeq.VanishedLog(IndexPath + ".vanished");

    private ModSeq.ModSeqCounter? _counter;
    private ModSeq.VanishedLog? _vanished;

    public string SequencesPath => System.IO.Path.Combine(Path, MhLock.SequencesFileName);

    public string MessagePath(string key) => System.IO.Path.Combine(Path, key);

    public static long InodeOf(IndexRecord record) =>
        record.Extra is { Length: >= 16 } extra ? BinaryPrimitives.ReadInt64LittleEndian(extra) : -1;

    public static long MtimeOf(IndexRecord record) =>
        record.Extra is { Length: >= 16 } extra ? BinaryPrimitives.ReadInt64LittleEndian(extra.AsSpan(8)) : -1;

    /// <summary>The digest of the file's ends kept in a record (see <see cref="Fingerprint"/>); null for records of older versions.</summary>
    public static ulong? ContentFingerprintOf(IndexRecord record) => IdentityOf(record)?.Fingerprint;

    /// <summary>The file identity kept in a record; null for records of older versions (inode and mtime only).</summary>
    private static FileIdentity? IdentityOf(IndexRecord record) =>
        record.Extra is { Length: IdentityLength } extra
            ? new FileIdentity(
                BinaryPrimitives.ReadInt64LittleEndian(extra),
                BinaryPrimitives.ReadInt64LittleEndian(extra.AsSpan(8)),
                BinaryPrimitives.ReadInt64LittleEndian(extra.AsSpan(16)),
                BinaryPrimitives.ReadUInt64LittleEndian(extra.AsSpan(24)),
                (extra[32] & SettledBit) != 0,
                (extra[32] & CompleteBit) != 0)
            : null;

    private const int IdentityLength = 33;
    private const byte SettledBit = 1;
    private const byte CompleteBit = 2;

    /// <summary>What a record keeps of its file: see <see cref="FileIdentity"/>.</summary>
    public static byte[] MakeExtra(FileIdentity identity)
    {
        var extra = new byte[IdentityLength];
        BinaryPrimitives.WriteInt64LittleEndian(extra, identity.Inode);
        BinaryPrimitives.WriteInt64LittleEndian(extra.AsSpan(8), identity.MtimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(extra.AsSpan(16), identity.CtimeNs);
        BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(24), identity.Fingerprint);
        extra[32] = (byte)((identity.Settled ? SettledBit : 0) | (identity.Complete ? CompleteBit : 0));
        return extra;
    }

    /// <summary>
    /// Reads the identity of an open message file: its fstat and the <see cref="Fingerprint"/> of the
    /// same open file, so both describe one inode. Settled when the ctime lies below the coarse clock
    /// read before the fstat (the rule of <see cref="SourceStamp.IsSettledAt"/>): a file put in its
    /// place later gets a later ctime. (It waited 2 s before: a folder just copied in was
    /// fingerprinted again at every refresh of its first seconds.)
    /// </summary>
    public static FileIdentity Identify(FileStream stream, out long length)
    {
        long coarse = CoarseClock.NowNs();
        if (Syscall.fstat((int)stream.SafeFileHandle.DangerousGetHandle(), out var st) != 0)
        {
            throw new IOException("fstat: " + NativeErrno.Last);
        }

        length = st.st_size;
        long ctime = st.st_ctime * 1_000_000_000L + st.st_ctime_nsec;
        bool settled = new SourceStamp(0, ctime, 0, 0).IsSettledAt(coarse);
        return new FileIdentity((long)st.st_ino, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec, ctime,
            Fingerprint(stream.SafeFileHandle, st.st_size), settled);
    }

    /// <summary>
    /// <see cref="Identify"/> of the regular file <paramref name="name"/> in the open folder
    /// <paramref name="directory"/> (through <see cref="FileProbe"/>: no FileStream, no symbolic link
    /// followed); null when it is gone or not a regular file.
    /// </summary>
    private FileIdentity? IdentifyIn(Microsoft.Win32.SafeHandles.SafeFileHandle? directory, string name, out long length)
    {
        length = 0;
        if (directory is null)
        {
            if (Syscall.lstat(MessagePath(name), out var lst) != 0 || (lst.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
            {
                return null;
            }

            using var stream = new FileStream(MessagePath(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            return Identify(stream, out length);
        }

        long coarse = CoarseClock.NowNs();
        int fd = FileProbe.OpenRegular(directory, name, out var status);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            length = status.Size;
            bool settled = new SourceStamp(0, status.CtimeNs, 0, 0).IsSettledAt(coarse);
            return new FileIdentity(status.Inode, status.MtimeNs, status.CtimeNs, Fingerprint(fd, status.Size), settled);
        }
        finally
        {
            FileProbe.Close(fd);
        }
    }

    /// <summary>
    /// A 64-bit digest of a message file's length and its first and last 4 KB: cheap (two reads of
    /// pages a scan has just touched) and, for two messages of one size, different unless they share
    /// both ends.
    /// </summary>
    public static ulong Fingerprint(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length) =>
        Fingerprint(length, (target, offset) => ReadFully(handle, target, offset));

    /// <summary><see cref="Fingerprint(Microsoft.Win32.SafeHandles.SafeFileHandle, long)"/> of a descriptor from <see cref="FileProbe"/>.</summary>
    public static ulong Fingerprint(int fd, long length) => Fingerprint(length, (target, offset) => FileProbe.ReadAt(fd, target, offset));

    private delegate int ReadAt(Span<byte> target, long offset);

    private static ulong Fingerprint(long length, ReadAt read)
    {
        const int Edge = 4096;
        Span<byte> buffer = stackalloc byte[2 * Edge + 8];
        BinaryPrimitives.WriteInt64LittleEndian(buffer, length);
        int used = 8;
        if (length <= 2 * Edge)
        {
            used += read(buffer.Slice(used, (int)length), 0);
        }
        else
        {
            used += read(buffer.Slice(used, Edge), 0);
            used += read(buffer.Slice(used, Edge), length - Edge);
        }

        Span<byte> digest = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(buffer[..used], digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> target, long offset)
    {
        int total = 0;
        while (total < target.Length)
        {
            int read = RandomAccess.Read(handle, target[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>
    /// Brings the index up to date: reloads it if another session saved it, rescans the directory
    /// only when its stamp changed, re-reads .mh_sequences only when its stamp changed, and saves
    /// what changed. Returns the parsed sequences when they were read (else null). With
    /// <paramref name="deferSave"/> the save is left to the caller, who changes the index further
    /// (see <see cref="SavePending"/>).
    /// </summary>
    public MhSequences? Refresh(MhLock mhLock, bool writable, bool forceSequences = false, bool deferSave = false, bool forAppend = false,
        bool forceScan = false)
    {
        bool dirty = LoadIfChanged(out uint uidFloor);
        bool metMailutilsFolder = dirty && uidFloor > 0 && _index is not null && _index.Records.Count == 0;
        var index = Index;
        long coarse = CoarseClock.NowNs(); // before the stats: see SourceStamp.IsSettledAt
        var dirStamp = SourceStamp.Of(Path);
        var seqStamp = SourceStamp.Of(SequencesPath);
        bool scan = forceScan || index.Source == SourceStamp.None || dirStamp != index.Source;
        if (scan && !forceScan && dirStamp != SourceStamp.None && PendingOf(index.Source) == dirStamp)
        {
            // The index listed the folder exactly when it took this stamp (our own links, or a scan
            // within the stamp's clock tick), but a change later in that tick would have left the
            // stamp as it is (see PendingOf): one listing (no stat) shows whether one did.
            if (forAppend)
            {
                // An APPEND needs no exact list: link() never overwrites a number another program took,
                // and whatever it added is found by the listing of the next refresh that needs one.
                scan = false;
            }
            else
            {
                if (!dirStamp.IsSettledAt(coarse) && index.Records.Count >= HugeFolder)
                {
                    // One listing after the tick instead of one now and one at the next refresh.
                    coarse = WaitForTick(dirStamp);
                }

                var listed = ListNumbered();
                if (SourceStamp.Of(Path) == dirStamp && ListsExactly(listed))
                {
                    scan = false;
                    if (dirStamp.IsSettledAt(coarse))
                    {
                        index.Source = dirStamp;
                        dirty = true;
                    }
                }
            }
        }

        bool readSequences = forceSequences || scan || seqStamp != index.Source2;
        if (!scan && !readSequences)
        {
            if (dirty)
            {
                // A pending stamp became trusted: only the header changed. Written now (in place when
                // the file is the one loaded), or every later session listed the folder again.
                SaveAppended(writable, index.Records.Count);
            }

            return null;
        }

        long now = NowNs();
        bool trustDirectory = true;
        if (scan)
        {
            bool rescanned = Rescan(writable, now, ref trustDirectory);
            RecordsPending |= rescanned;
            dirty |= rescanned;
            if (index.UidNext < uidFloor)
            {
                index.UidNext = uidFloor;
                dirty = true;
            }
        }

        SequenceReads++;
        var sequences = MhSequences.Parse(mhLock.ReadSequences());
        if (metMailutilsFolder && writable && index.Records.Count > 0)
        {
            var statusFlags = index.Records.ToDictionary(r => int.Parse(r.Key), r => MailutilsMhFlags.Read(MessagePath(r.Key)));
            if (MailutilsMhFlags.CarryInto(sequences, statusFlags))
            {
                mhLock.WriteSequences(sequences.Format());
            }
        }

        bool reflagged = ApplySequences(sequences);
        RecordsPending |= reflagged;
        dirty |= reflagged;
        // A stamp of the current clock tick is kept as pending: the next refresh lists once instead
        // of checking every file (see PendingOf).
        var newSource = !scan ? index.Source
            : !trustDirectory ? Untrusted
            : dirStamp.IsSettledAt(coarse) ? dirStamp
            : Pending(dirStamp);
        // Read under the fcntl lock nmh honours: the text read is the one this stamp describes.
        var newSource2 = seqStamp.IsSettledAt(coarse) ? seqStamp : Untrusted;
        dirty |= newSource != index.Source || newSource2 != index.Source2;
        index.Source = newSource;
        index.Source2 = newSource2;
        if (dirty)
        {
            Generation++;
            if (deferSave)
            {
                SavePending = true;
            }
            else
            {
                Save(writable);
            }
        }

        return sequences;
    }

    /// <summary>Recomputes every record's flags from <paramref name="sequences"/>; true when one changed.</summary>
    public bool ApplySequences(MhSequences sequences)
    {
        var index = Index;
        var reader = new MhFlagMap.Reader(sequences);
        bool changed = false;
        for (int i = 0; i < index.Records.Count; i++)
        {
            var record = index.Records[i];
            var flags = reader.Read(int.Parse(record.Key), record.Flags);
            if (!flags.Equals(record.Flags))
            {
                index.Records[i] = record with { Flags = flags, ModSeq = ++index.HighestModSeq };
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>Notes that .mh_sequences now holds what the index says (after our own write).</summary>
    /// <remarks>
    /// A stamp of the current clock tick could hide a later write in the same tick, so it is not
    /// trusted and every sync would read and apply the sequences again: after a STORE on a large
    /// folder every command did (10 ms per 10,000 messages). There the tick is waited out (a few
    /// milliseconds, still under the lock) and the stamp kept.
    /// </remarks>
    public void SequencesWritten()
    {
        long deadline = Environment.TickCount64 + 30;
        var written = SourceStamp.Of(SequencesPath);
        while (true)
        {
            long coarse = CoarseClock.NowNs();
            var stamp = SourceStamp.Of(SequencesPath);
            if (stamp != written)
            {
                Index.Source2 = Untrusted; // someone who ignores the lock wrote meanwhile
                return;
            }

            if (stamp.IsSettledAt(coarse))
            {
                Index.Source2 = stamp;
                return;
            }

            if (Index.Records.Count < LargeFolder || stamp.MtimeNs % 1_000_000_000L == 0 || Environment.TickCount64 > deadline)
            {
                Index.Source2 = Untrusted;
                return;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>
    /// The directory's stamp when the index is known to list it exactly, or did when it took that stamp
    /// (pending, see <see cref="PendingOf"/>), else null; call right after <see cref="Refresh"/>.
    /// </summary>
    public SourceStamp? TrustedListing()
    {
        var stamp = SourceStamp.Of(Path);
        return stamp != SourceStamp.None && (stamp == Index.Source || stamp == PendingOf(Index.Source)) ? stamp : null;
    }

    /// <summary>
    /// Notes that this session linked new message files (recorded in the index, complete) into a folder
    /// whose listing the index held before (<paramref name="listedBefore"/> from <see cref="TrustedListing"/>):
    /// the directory's stamp now is kept as pending (see <see cref="PendingOf"/>).
    /// </summary>
    /// <remarks>
    /// Our own links change the directory's stamp, so the next refresh would rescan it: a stat of every
    /// file, per APPEND (1000 APPENDs to an MH folder took 35 s). Then the clock tick was waited out
    /// and the folder listed after every APPEND to a large folder (4 ms and a readdir of the whole
    /// folder each: 1000 APPENDs to a folder of 2000 messages took 12 s). Now the stamp is kept as
    /// pending: further APPENDs trust it as it is, and the first refresh that needs an exact list
    /// lists once (readdir, no stat).
    /// </remarks>
    public void LinksWritten(SourceStamp? listedBefore)
    {
        if (listedBefore is null)
        {
            return;
        }

        // .mu-prop lives in the folder: its rewrite (UIDNEXT moved) changes the directory too.
        KeepMailutilsInStep();
        var stamp = SourceStamp.Of(Path);
        if (stamp == SourceStamp.None)
        {
            return;
        }

        bool checkedNow = _mailutilsChecked == MailutilsState();
        Index.Source = Pending(stamp);
        if (checkedNow)
        {
            _mailutilsChecked = MailutilsState(); // only the stamp moved, by the check's own write
        }
    }

    /// <summary>
    /// A directory stamp (<paramref name="stamp"/>) the index held an exact listing for when it was
    /// taken, but within the stamp's clock tick: a message added or removed later in that tick by a
    /// program that ignores our lock (nmh's inc, rmm) leaves the same stamp. So a refresh that finds
    /// it lists the folder once (readdir, no stat, <see cref="ListsExactly"/>) instead of checking
    /// every file, and trusts it outright once a listing was made after the tick. Kept in
    /// <see cref="MailboxIndex.Source"/> with a negative size (no real stamp has one; a version that
    /// does not know it rescans).
    /// </summary>
    private static SourceStamp Pending(SourceStamp stamp) => stamp with { Size = -2 - stamp.Size };

    /// <summary>The stamp <paramref name="source"/> keeps as pending (see <see cref="Pending"/>); <see cref="SourceStamp.None"/> when it is not one.</summary>
    private static SourceStamp PendingOf(SourceStamp source) => source.Size <= -2 ? source with { Size = -2 - source.Size } : SourceStamp.None;

    /// <summary>Waits (under the lock, 30 ms at most) until <paramref name="stamp"/> is settled; returns the last coarse clock reading.</summary>
    private static long WaitForTick(SourceStamp stamp)
    {
        long deadline = Environment.TickCount64 + 30;
        while (true)
        {
            long coarse = CoarseClock.NowNs();
            if (stamp.IsSettledAt(coarse) || stamp.MtimeNs % 1_000_000_000L == 0 || Environment.TickCount64 > deadline)
            {
                return coarse;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>True when <paramref name="listed"/> holds exactly the index's (number, inode) pairs.</summary>
    private bool ListsExactly(List<(int Number, long Inode)> listed)
    {
        var records = Index.Records;
        if (listed.Count != records.Count)
        {
            return false;
        }

        // By number, not by name: no string per listed message (a record's key is its number's canonical name).
        var inodes = new Dictionary<int, long>(records.Count);
        foreach (var record in records)
        {
            if (!int.TryParse(record.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number)
                || !inodes.TryAdd(number, InodeOf(record)))
            {
                return false;
            }
        }

        foreach (var (number, inode) in listed)
        {
            if (!inodes.TryGetValue(number, out long known) || known != inode)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Messages from which reading the sequences again costs more than waiting out a clock tick.</summary>
    private const int LargeFolder = 1000;

    /// <summary>Messages from which listing the folder (readdir) costs more than waiting out a clock tick.</summary>
    private const int HugeFolder = 20_000;

    /// <summary>True when a refresh changed records (not only the header) since the index was last saved (see <see cref="SaveAppended"/>).</summary>
    public bool RecordsPending { get; private set; }

    /// <summary>True when a <see cref="Refresh"/> with deferSave changed the index and left its save to the caller.</summary>
    public bool SavePending { get; private set; }

    /// <summary>Writes the index (temp + fsync + rename) unless the folder is not writable to us.</summary>
    public void Save(bool writable)
    {
        SavePending = false;
        RecordsPending = false;
        if (!writable)
        {
            return;
        }

        // Before the index is written: it keeps the folder's stamp after .mu-prop's write (see KeepMailutilsInStep).
        KeepMailutilsInStep();
        Counter.Publish(Index.HighestModSeq); // durable before anyone sees a MODSEQ the index holds
        Index.Save(IndexPath);
        _indexFileStamp = SourceStamp.Of(IndexPath);
    }

    /// <summary>
    /// <see cref="Save"/> after an operation that only added records from <paramref name="from"/> on
    /// (and changed the header) to an index that matched its file when the lock was taken (refreshed
    /// and saved, or loaded, under this lock): the new records are appended to the file in place
    /// (<see cref="MailboxIndex.TryAppendInPlace"/>) instead of rewriting it whole. A negative
    /// <paramref name="from"/>, or a file not the one this index was read from or written to, saves whole.
    /// </summary>
    public void SaveAppended(bool writable, int from)
    {
        if (!writable || from < 0 || RecordsPending || SourceStamp.Of(IndexPath) != _indexFileStamp)
        {
            Save(writable);
            return;
        }

        KeepMailutilsInStep(); // before the index is written, as in Save
        Counter.Publish(Index.HighestModSeq); // durable before anyone sees a MODSEQ the index holds
        if (!Index.TryAppendInPlace(IndexPath, from))
        {
            Save(writable);
            return;
        }

        SavePending = false; // a deferred refresh changed the header only, written above

        _indexFileStamp = SourceStamp.Of(IndexPath);
    }

    /// <summary>
    /// Lets GNU imap4d open this folder with our UIDs: it numbers MH messages by their file numbers
    /// and takes UIDVALIDITY and UIDNEXT from <c>.mu-prop</c> (without the file it makes up its own
    /// UIDVALIDITY). So <c>.mu-prop</c> says ours while every UID is its file's number; once one is
    /// not (a folder packed or renumbered by MH tools, where we keep the UIDs), it must not say ours,
    /// or mailutils would present its numbering under our UIDVALIDITY. Checked when the index's
    /// UIDVALIDITY, UIDNEXT, message count or directory stamp changed.
    /// </summary>
    private (uint, uint, int, SourceStamp) MailutilsState() => (Index.UidValidity, Index.UidNext, Index.Records.Count, Index.Source);

    private void KeepMailutilsInStep()
    {
        var index = Index;
        var state = MailutilsState();
        if (state == _mailutilsChecked)
        {
            return;
        }

        _mailutilsChecked = state;
        bool numbered = index.Records.All(r => uint.TryParse(r.Key, out uint number) && number == r.Uid);
        // The write changes the folder's stamp; a listing the index held (or held pending) before it
        // is kept pending (see PendingOf): the first SELECT wrote the file, and the next sync stat'ed
        // every message again.
        var before = SourceStamp.Of(Path);
        bool listed = before != SourceStamp.None && (before == index.Source || before == PendingOf(index.Source));
        bool wrote = false;
        try
        {
            if (numbered)
            {
                wrote = MailutilsProperties.Write(Path, index.UidValidity, index.UidNext);
            }
            else if (MailutilsProperties.Read(Path).UidValidity == index.UidValidity)
            {
                wrote = MailutilsProperties.Write(Path, _userState.NextUidValidity(), index.UidNext);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only GNU imap4d's view suffers; ours is in the index.
        }

        if (wrote && listed && SourceStamp.Of(Path) is var after && after != SourceStamp.None)
        {
            index.Source = Pending(after);
            _mailutilsChecked = MailutilsState();
        }
    }

    /// <summary>fsync(2) of the file at <paramref name="path"/>; throws when the data may not be on disk.</summary>
    public static void FsyncFile(string path)
    {
        int fd = NativeErrno.Retry(() => Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC));
        if (fd < 0)
        {
            throw new StorageException(StorageError.Temporary, "Cannot write message", path + ": open: " + NativeErrno.Last);
        }

        try
        {
            if (Syscall.fsync(fd) != 0)
            {
                var errno = NativeErrno.Last;
                throw new StorageException(errno is Errno.ENOSPC or Errno.EDQUOT ? StorageError.OverQuota : StorageError.Temporary,
                    "Cannot write message", path + ": fsync: " + errno);
            }
        }
        finally
        {
            Syscall.close(fd);
        }
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
        long directoryInode = SourceStamp.Of(Path).Inode;
        if (loaded is null || directoryInode != _directoryInode)
        {
            // A folder deleted and made again under this path (this state is kept across APPENDs by
            // MhDriver): the MODSEQ counter must not skip writes by what it wrote for the old one.
            _counter = null;
            _vanished = null;
            _mailutilsChecked = default;
        }

        _directoryInode = directoryInode;
        if (loaded is not null)
        {
            _index = loaded;
            return false;
        }

        // New to us (or the cache was lost): UID = file number, UIDVALIDITY as mailutils had it.
        var mailutils = MailutilsProperties.Read(Path);
        var (muValidity, muNext) = (mailutils.UidValidity, mailutils.UidNext);
        _index = new MailboxIndex
        {
            // A new one is never one this user had before (RFC 3501 §2.3.1.1), even for a folder
            // deleted and re-created in the same second.
            UidValidity = muValidity != 0 ? muValidity : _userState.NextUidValidity(),
        };
        // MODSEQs go on above the durable ceiling; what vanished before now is unknown.
        _index.HighestModSeq = Counter.RecoveryFloor(validityKept: muValidity != 0);
        Vanished.HistoryLost(_index.UidValidity, _index.HighestModSeq);
        uidFloor = muNext;
        return true;
    }

    private bool Rescan(bool writable, long now, ref bool trustDirectory)
    {
        ScanCount++;
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
        using var directory = FileStatus.OpenDirectory(Path);
        foreach (var (number, inode) in entries)
        {
            if (byKey.TryGetValue(number.ToString(), out var record) && InodeOf(record) == inode)
            {
                var current = Recheck(directory, record, now, ref trustDirectory);
                if (current is not null)
                {
                    changed |= !ReferenceEquals(current, record);
                    kept.Add(current);
                    keptUids.Add(current.Uid);
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

        unmatched.Sort((a, b) => a.Number.CompareTo(b.Number));
        var probed = ProbeAll(directory, unmatched);
        for (int u = 0; u < unmatched.Count; u++)
        {
            int number = unmatched[u].Number;
            string key = number.ToString();
            FileIdentity identity;
            long length;
            long size;
            try
            {
                FileIdentity? probe;
                if (probed is null)
                {
                    probe = IdentifyIn(directory, key, out length);
                }
                else if (probed[u].Error is not null)
                {
                    continue; // as the catch below
                }
                else
                {
                    (probe, _, length) = probed[u];
                }

                if (probe is not { } found)
                {
                    continue; // gone, or not a regular file
                }

                identity = found;
                if (missingByInode.TryGetValue(identity.Inode, out var moved) && IsSameFile(moved, identity, length))
                {
                    // Renumbered (folder -pack, sortm): the UID stays with its data.
                    missingByInode.Remove(identity.Inode);
                    kept.Add(moved with { Key = key, Extra = MakeExtra(identity) });
                    keptUids.Add(moved.Uid);
                    changed = true;
                    continue;
                }

                // The CRLF size is counted when a client first asks for it (see MhMailbox.ToInfo): a
                // first SELECT read every file whole for it.
                size = UnknownSize;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (!identity.Settled || now - identity.MtimeNs <= FreshNs)
            {
                trustDirectory = false;
            }

            uint uid = Math.Max(index.UidNext, (uint)number);
            index.UidNext = uid + 1;
            var date = DateTimeOffset.FromUnixTimeMilliseconds(identity.MtimeNs / 1_000_000);
            kept.Add(new IndexRecord(uid, FlagSet.Empty, date, size, ++index.HighestModSeq, key,
                Length: length, Extra: MakeExtra(identity)));
            keptUids.Add(uid);
            changed = true;
        }

        changed |= kept.Count != index.Records.Count;
        var vanished = index.Records.Where(r => !keptUids.Contains(r.Uid)).Select(r => r.Uid).Order().ToList();
        if (vanished.Count > 0)
        {
            // Removed by another program (rmm, a packing folder keeps UIDs and is not this).
            Vanished.Record(index.UidValidity, ++index.HighestModSeq, vanished);
        }

        kept.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        index.Records = kept;
        return changed;
    }

    /// <summary>Files from which a scan identifies new files on every core (open, fstat, two reads and a digest each).</summary>
    private const int ParallelProbeFrom = 512;

    /// <summary>
    /// <see cref="IdentifyIn"/> of every entry of <paramref name="entries"/> on all cores (a first SELECT of
    /// 10,000 messages spent 120 ms in them one after another); null when there are too few to be worth it.
    /// An I/O error of one entry is handed back in its slot, for the caller to treat as it treats its own.
    /// </summary>
    private (FileIdentity? Identity, Exception? Error, long Length)[]? ProbeAll(Microsoft.Win32.SafeHandles.SafeFileHandle? directory,
        List<(int Number, long Inode)> entries)
    {
        if (directory is null || entries.Count < ParallelProbeFrom || Environment.ProcessorCount < 2)
        {
            return null;
        }

        var result = new (FileIdentity?, Exception?, long)[entries.Count];
        Parallel.For(0, entries.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                var identity = IdentifyIn(directory, entries[i].Number.ToString(), out long length);
                result[i] = (identity, null, length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                result[i] = (null, e, 0);
            }
        });
        return result;
    }

    /// <summary>
    /// True when the open file (<paramref name="identity"/>) holds the data of <paramref name="record"/>,
    /// found under another number: same inode, size and mtime (a rename keeps them) and the same
    /// fingerprint (a new file on a reused inode with the same size and mtime differs there).
    /// </summary>
    private static bool IsSameFile(IndexRecord record, FileIdentity identity, long length)
    {
        if (record.Length != length || MtimeOf(record) != identity.MtimeNs || InodeOf(record) != identity.Inode)
        {
            return false;
        }

        return IdentityOf(record) is not { } known || known.Fingerprint == identity.Fingerprint;
    }

    /// <summary>
    /// True when the open <paramref name="stream"/> holds the data <paramref name="record"/> was made
    /// from. The inode alone does not prove it: once the file is unlinked (EXPUNGE in another session)
    /// ext4 gives its inode at once to the next file, often the next APPEND under the same number.
    /// The rule is <see cref="Recheck"/>'s: size and mtime, then the fingerprint unless the record is
    /// settled and the ctime unchanged.
    /// </summary>
    public static bool HoldsRecordData(FileStream stream, IndexRecord record)
    {
        if (Syscall.fstat((int)stream.SafeFileHandle.DangerousGetHandle(), out var st) != 0)
        {
            return false;
        }

        long mtime = st.st_mtime * 1_000_000_000L + st.st_mtime_nsec;
        long ctime = st.st_ctime * 1_000_000_000L + st.st_ctime_nsec;
        if ((long)st.st_ino != InodeOf(record) || st.st_size != record.Length || mtime != MtimeOf(record))
        {
            return false;
        }

        var known = IdentityOf(record);
        if (known is null || (known.Value.Settled && known.Value.CtimeNs == ctime))
        {
            return true;
        }

        return Fingerprint(stream.SafeFileHandle, st.st_size) == known.Value.Fingerprint;
    }

    /// <summary>
    /// Checks a file whose number and inode match its record. A file that changed since we measured it
    /// is still being written (nmh's inc writes in place) or was replaced by one that got the freed inode
    /// (ext4 reuses them at once): either way the old UID must not name it, and it becomes a new message
    /// (null). A settled record with the same ctime costs a stat; others are fingerprinted. Returns the
    /// record, or an updated copy when its file's ctime moved or it became settled.
    /// </summary>
    private IndexRecord? Recheck(Microsoft.Win32.SafeHandles.SafeFileHandle? directory, IndexRecord record, long now, ref bool trustDirectory)
    {
        // statx relative to the open folder: one name resolved, nothing marshalled but the name.
        long size;
        long mtime;
        long ctime;
        if (directory is not null)
        {
            if (!FileStatus.TryStatChange(directory, record.Key, out size, out mtime, out ctime))
            {
                return null;
            }
        }
        else if (Syscall.stat(MessagePath(record.Key), out var st) == 0)
        {
            (size, mtime, ctime) = (st.st_size, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec, st.st_ctime * 1_000_000_000L + st.st_ctime_nsec);
        }
        else
        {
            return null;
        }

        var known = IdentityOf(record);
        // A fresh file may still be growing (written in place), which leaves the directory's stamp
        // alone: look again next time. Not one we linked whole and nobody touched since. Fresh by its
        // mtime, which every write moves: a recent ctime alone (a chown, a link, a copy that set the
        // old mtime after writing) says nothing about the content, and a folder copied in just now
        // was listed and stat'ed again by every session of its first two seconds.
        bool completeAndUntouched = known is { Complete: true } k && k.CtimeNs == ctime;
        if (!completeAndUntouched && now - mtime <= FreshNs)
        {
            trustDirectory = false;
        }

        if (size != record.Length || mtime != MtimeOf(record))
        {
            return null;
        }

        if (known is null || (known.Value.Settled && known.Value.CtimeNs == ctime))
        {
            // Settled: a file put there after the check that settled it would have a later ctime.
            // Records of older versions keep the rule they were made under.
            return record;
        }

        try
        {
            using var stream = new FileStream(MessagePath(record.Key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            var identity = Identify(stream, out long length);
            if (identity.Inode != known.Value.Inode || length != record.Length || identity.MtimeNs != known.Value.MtimeNs
                || identity.Fingerprint != known.Value.Fingerprint)
            {
                return null;
            }

            identity = identity with { Complete = known.Value.Complete && identity.CtimeNs == known.Value.CtimeNs };
            return identity == known.Value ? record : record with { Extra = MakeExtra(identity) };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The numbered entries of the folder with their inodes; removes old crash leftovers of ours.</summary>
    private List<(int Number, long Inode)> ReadDirectory(bool writable, long now)
    {
        var result = ListNumbered();
        string stateDir = System.IO.Path.Combine(Path, MhLock.StateDirName);
        var leftovers = new List<string>();
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

    /// <summary>The numbered entries of the folder with their inodes, as readdir gives them (no stat).</summary>
    private List<(int Number, long Inode)> ListNumbered()
    {
        ListCount++;
        var result = NumberedEntries.Read(Path);
        if (result is null)
        {
            var errno = NativeErrno.Last;
            throw errno == Errno.ENOENT
                ? new StorageException(StorageError.NotFound, "No such mailbox", Path)
                : new StorageException(StorageError.Temporary, "Cannot read mailbox", Path + ": " + errno);
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
