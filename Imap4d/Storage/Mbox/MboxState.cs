using Imap4d.Native;
using System.Globalization;
using System.Text;
using Imap4d.Storage.Index;
using Imap4d.Storage.Locking;
using Imap4d.Storage.State;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The disk side of one mbox: its index (in memory, saved under the mailbox lock), refreshing it
/// from the file (nothing / only the appended tail / full parse), appending and rewriting.
/// Every method that takes a <see cref="MailboxFileLock"/> must be called with it held.
/// <para>Write protocol. Appends: a journal (<c>INDEX.append</c>: inode, old size, new size) is
/// written and fsynced, the message is written at the old end of file through the locked
/// descriptor and fsynced; on failure the file is truncated back; the journal is then removed. An
/// open finding a journal truncates an incomplete tail (unless someone appended after it).
/// Rewrites (expunge, flag write-back): a temporary file <c>.NAME.imap4d-tmp.*</c> in the same
/// directory gets the new contents, is fsynced, given the old owner and mode, and renamed over
/// the mailbox; leftovers of a crash are deleted at the next full parse.</para>
/// </summary>
internal sealed class MboxState
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    /// <summary>
    /// A file stamp must be this old before reads without the lock trust it: many ticks of the
    /// clock the kernel stamps files with (a jiffy, 10 ms at most; finer since Linux 6.13), so a
    /// later write cannot fall into the stamp's tick and leave it unchanged. It was 1 s for every
    /// file, which kept every read of the second after a rewrite (EXPUNGE) under the lock.
    /// </summary>
    internal static long SettledNs { get; set; } = 100_000_000L;

    /// <summary>The same for a file system that keeps whole seconds (FAT even two for mtime): a write in the same second would not show.</summary>
    internal const long CoarseSettledNs = 2_000_000_000L;

    /// <summary>True when <paramref name="stamp"/> is old enough that any later write would change it (see <see cref="SettledNs"/>).</summary>
    internal static bool IsSettled(SourceStamp stamp, long nowNs)
    {
        bool wholeSeconds = stamp.CtimeNs % 1_000_000_000L == 0 || stamp.MtimeNs % 1_000_000_000L == 0;
        long settle = wholeSeconds ? Math.Max(CoarseSettledNs, SettledNs) : SettledNs;
        return nowNs - stamp.CtimeNs > settle && nowNs - stamp.MtimeNs > settle;
    }

    private readonly LockingOptions _locking;
    private readonly UserStateDirectory _userState;
    private readonly MboxIndexFile? _file;
    private SafeFileHandle? _reader;
    private long _readerInode = -1;

    /// <summary>The index file as last seen (its header's stamp).</summary>
    private MboxIndexFile.Stamp _diskStamp;

    /// <summary>True when <see cref="Index"/> is the file at <see cref="_diskStamp"/> plus the changes it tracks.</summary>
    private bool _indexMatchesDisk;
    private bool _loaded;
    private bool _indexDirty;

    /// <param name="indexPath">Where the index is kept; empty for nowhere (no safe place: the index lives in memory only).</param>
    /// <param name="userState">Gives out UIDVALIDITY values (<see cref="UserStateDirectory.FromEnvironment"/> when null).</param>
    public MboxState(string path, string indexPath, LockingOptions locking, UserStateDirectory? userState = null)
    {
        MailboxPath = path;
        IndexPath = indexPath;
        _locking = locking;
        _userState = userState ?? UserStateDirectory.FromEnvironment();
        _file = indexPath.Length > 0 ? new MboxIndexFile(indexPath) : null;
        Counter = new ModSeq.ModSeqCounter(indexPath.Length > 0 ? indexPath + ".modseq" : null);
        Vanished = new ModSeq.VanishedLog(indexPath.Length > 0 ? indexPath + ".vanished" : null);
    }

    /// <summary>The durable floor of the MODSEQs (the index is a cache; this survives its loss).</summary>
    public ModSeq.ModSeqCounter Counter { get; }

    /// <summary>The UIDs expunged with their MODSEQs, for QRESYNC.</summary>
    public ModSeq.VanishedLog Vanished { get; }

    public string MailboxPath { get; }

    public string IndexPath { get; }

    /// <summary>False when there is no safe place for the index (and its cache and journal).</summary>
    public bool Persistent => IndexPath.Length > 0;

    public MboxIndex Index { get; private set; } = new();

    /// <summary>Grows whenever <see cref="Index"/> changes; lets a view skip rebuilding.</summary>
    public long Generation { get; private set; }

    /// <summary>How the last refresh went ("unchanged", "index", "added", "tail", "full"), for tests and logs.</summary>
    public string LastRefresh { get; private set; } = "";

    /// <summary>False when the last save could not write the index (the mailbox has more keywords than it holds).</summary>
    public bool IndexSaved { get; private set; } = true;

    private string JournalPath => IndexPath + ".append";

    public MailboxFileLock Lock() => MailboxFileLock.Acquire(MailboxPath, _locking);

    public static SourceStamp StampOf(int fd)
    {
        if (Syscall.fstat(fd, out Stat st) != 0)
        {
            throw new StorageException(StorageError.Temporary, "Cannot read mailbox", "fstat: " + NativeErrno.Last);
        }

        return new SourceStamp(st.st_size, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec, (long)st.st_ino,
            st.st_ctime * 1_000_000_000L + st.st_ctime_nsec);
    }

    public void MarkChanged()
    {
        Generation++;
    }

    /// <summary>Brings <see cref="Index"/> up to date with the file. With <paramref name="save"/>, a changed index is saved.</summary>
    public void Refresh(MailboxFileLock held, bool save = true)
    {
        RecoverJournal(held);
        var now = StampOf(held.Fd);
        var header = _file?.ReadHeader();
        var diskNow = header?.Stamp ?? MboxIndexFile.Stamp.None;
        if (_loaded && now == Index.Source && diskNow == _diskStamp)
        {
            LastRefresh = "unchanged";
            SaveIfDirty(save);
            return;
        }

        MboxIndex? candidate = _loaded ? Index : null;
        string how = "index";
        if (!_loaded || diskNow != _diskStamp)
        {
            MboxIndex? disk = null;
            if (header is not null)
            {
                if (_loaded && !_indexDirty && _indexMatchesDisk && _diskStamp.GrewInto(diskNow) && _file!.LoadAdded(Index, header))
                {
                    // Another session only added records: read those alone.
                    disk = Index;
                    how = "added";
                    Generation++;
                }
                else
                {
                    disk = _file!.Load(out diskNow);
                }
            }

            _diskStamp = disk is null ? MboxIndexFile.Stamp.None : diskNow;
            if (disk is not null && disk.UidValidity == 0)
            {
                disk = null;
            }

            if (disk is not null && (candidate is null || ReferenceEquals(disk, candidate) || disk.Source == now
                                     || CanExtend(held, disk, now) || disk.UidNext >= candidate.UidNext))
            {
                candidate = disk;
                _indexMatchesDisk = true;
                _indexDirty = diskNow.InProgress; // a writer died in the middle: write it anew
            }
            else
            {
                _indexMatchesDisk = false;
            }
        }

        if (candidate is not null && candidate.Source == now)
        {
            Adopt(candidate, how);
        }
        else if (candidate is not null && CanExtend(held, candidate, now))
        {
            Adopt(candidate, "tail");
            ParseTail(held, now);
        }
        else
        {
            FullParse(held, now, candidate);
        }

        SaveIfDirty(save);
    }

    private void Adopt(MboxIndex index, string how)
    {
        if (!ReferenceEquals(index, Index))
        {
            Index = index;
            Generation++;
        }

        _loaded = true;
        LastRefresh = how;
    }

    private void SaveIfDirty(bool save)
    {
        if (save && _indexDirty)
        {
            SaveIndex();
        }
    }

    /// <summary>Saves the index when a refresh left derivable changes unsaved.</summary>
    public void SaveIfDirty() => SaveIfDirty(save: true);

    /// <summary>
    /// True when neither the mbox (a stat) nor the index (a stat and a read of its header's first
    /// bytes) changed since the last <see cref="Refresh"/> and nothing of ours waits to be saved:
    /// a poll can then skip the lock. Every writer changes one of them (an append grows the
    /// file, rewrites rename a new file in, index writes bump the header's counter), so this sees
    /// what <see cref="Refresh"/> would compare under the lock; a change in progress is simply
    /// seen at the next poll, as if it had begun a moment later.
    /// </summary>
    public bool UnchangedSinceRefresh() =>
        _loaded && !_indexDirty && Index.Source != SourceStamp.None
        && SourceStamp.Of(MailboxPath) == Index.Source
        && (_file is null || _file.Unchanged(_diskStamp))
        && !File.Exists(JournalPath);

    /// <summary>
    /// Without the lock: takes the index file as it is when it describes the mbox as it is now (a
    /// stat of the mbox, the header, the records, the header again: any write in between, which
    /// always changes the header's counter or marks it in progress, makes this give up). False
    /// when it could not; the caller then refreshes under the lock.
    /// </summary>
    public bool TryLoadUnlocked()
    {
        if (_loaded || _file is null || File.Exists(JournalPath))
        {
            return false;
        }

        var now = SourceStamp.Of(MailboxPath);
        var stamp = MboxIndexFile.Stamp.None;
        var index = now == SourceStamp.None ? null : _file.Load(out stamp);
        if (index is null || stamp.InProgress || index.UidValidity == 0 || index.Source != now
            || _file.ReadHeader()?.Stamp != stamp)
        {
            return false;
        }

        Index = index;
        _diskStamp = stamp;
        _indexMatchesDisk = true;
        _loaded = true;
        Generation++;
        LastRefresh = "index";
        return true;
    }

    /// <summary>STATUS from the index file's header alone, without the lock; null when the header does not describe the mbox as it is.</summary>
    public MailboxStatus? TryStatusFromHeader()
    {
        if (!Persistent || File.Exists(JournalPath))
        {
            return null;
        }

        return MboxIndexFile.ReadStatus(IndexPath, SourceStamp.Of(MailboxPath));
    }

    /// <summary>True when the file only grew since <paramref name="index"/> was made (an MDA appended).</summary>
    private static bool CanExtend(MailboxFileLock held, MboxIndex index, SourceStamp now)
    {
        var old = index.Source;
        if (old == SourceStamp.None || old.Inode != now.Inode || now.Size <= old.Size)
        {
            return false;
        }

        if (old.Size == 0)
        {
            return index.Count == 0;
        }

        Span<byte> probe = stackalloc byte[6];
        if (RandomAccess.Read(held.Handle, probe, old.Size - 1) < 6 || probe[0] != '\n' || !probe[1..].StartsWith("From "u8))
        {
            return false;
        }

        if (index.Count > 0)
        {
            Span<byte> from = stackalloc byte[5];
            return RandomAccess.Read(held.Handle, from, index.Last.Offset) == 5 && from.SequenceEqual("From "u8);
        }

        return true;
    }

    public void SaveIndex()
    {
        Counter.Publish(Index.HighestModSeq); // durable before anyone sees a MODSEQ the index holds
        if (_file is null)
        {
            _indexDirty = false;
            return;
        }

        try
        {
            var saved = _indexMatchesDisk ? _file.SaveChanges(Index, _diskStamp) : null;
            _diskStamp = saved ?? _file.SaveAll(Index, _diskStamp);
            _indexMatchesDisk = true;
            _indexDirty = false;
            IndexSaved = true;
        }
        catch (KeywordsDoNotFitException)
        {
            // Not saved: the index file goes, so no session trusts its older flags; the caller
            // writes the flags back to the mbox instead (see MboxMailbox.Store).
            Log.Info("{0}: more than {1} keywords; the index is kept in memory", MailboxPath, MboxIndexFile.MaxKeywords);
            TryDelete(IndexPath);
            _diskStamp = MboxIndexFile.Stamp.None;
            _indexMatchesDisk = false;
            _indexDirty = false;
            IndexSaved = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot save mbox index {0}", IndexPath);
            _indexMatchesDisk = false;
        }
    }

    /// <summary>Closes the index file's descriptor and the unlocked-read descriptor (when the mailbox is closed).</summary>
    public void Close()
    {
        _file?.Dispose();
        CloseReader();
    }

    private static DateTimeOffset DateOf(ParsedMessage m, SourceStamp stamp) =>
        m.FromDate ?? m.HeaderDate ?? DateTimeOffset.FromUnixTimeMilliseconds(stamp.MtimeNs / 1_000_000);

    private static MboxRecord RecordOf(ParsedMessage m, uint uid, FlagSet flags, ulong modSeq, int bits, DateTimeOffset date, long? saved = null)
    {
        if (m.Old)
        {
            bits |= MboxRecord.Old;
        }

        if (m.ContentLengthHonoured)
        {
            bits |= MboxRecord.ContentLengthHonoured;
        }

        return new MboxRecord(uid, flags, date, m.ClientSize, modSeq, m.FromOffset, m.HeaderOffset, m.BodyOffset, m.ContentEnd, m.End, bits,
            saved ?? date.ToUnixTimeSeconds());
    }

    /// <param name="savedAt">When these are our own appends: their save date (Unix seconds); else each one's From line date.</param>
    private void ParseTail(MailboxFileLock held, SourceStamp now, long? savedAt = null)
    {
        var parsed = MboxParser.Parse(held.Handle, Index.Source.Size, now.Size);
        bool assigned = false;
        uint last = Index.Count > 0 ? Index.Last.Uid : 0;
        foreach (var m in parsed)
        {
            uint uid;
            int bits = 0;
            if (m.XUid != 0 && m.XUid >= Index.UidNext && m.XUid > last)
            {
                uid = m.XUid;
            }
            else
            {
                uid = Math.Max(Index.UidNext, last + 1);
                bits |= MboxRecord.Dirty;
                assigned = true;
            }

            Index.Add(RecordOf(m, uid, m.FlagSet, ++Index.HighestModSeq, bits, DateOf(m, now), savedAt));
            Index.UidNext = Math.Max(Index.UidNext, uid + 1);
            last = uid;
        }

        Index.Source = now;
        Generation++;
        _indexDirty = true;
        if (assigned)
        {
            SaveIndex(); // a UID given to a message without X-UID is a decision: record it before unlocking
        }

        Log.Debug("{0}: parsed {1} appended messages", MailboxPath, parsed.Count);
    }

    /// <summary>Never one this user had before, even for a name deleted and re-created in the same second.</summary>
    private uint NewValidity(uint old) => _userState.NextUidValidity(old);

    private void FullParse(MailboxFileLock held, SourceStamp now, MboxIndex? previous)
    {
        var started = DateTime.UtcNow;
        CleanTemporaryFiles();
        var parsed = MboxParser.Parse(held.Handle, 0, now.Size);
        ParsedMessage? pseudo = parsed.Count > 0 && parsed[0].IsPseudo ? parsed[0] : null;
        if (pseudo is not null)
        {
            parsed.RemoveAt(0);
        }

        var fileBase = (parsed.Count > 0 ? parsed[0].ImapBase : null) ?? pseudo?.ImapBase;
        var index = new MboxIndex { Source = now };
        var records = new List<MboxRecord>(parsed.Count);
        uint last = 0;
        if (previous is not null && (fileBase is null || fileBase.Value.Validity == previous.UidValidity))
        {
            // Our own history: trust an X-UID when it is fresh or names the same message as before.
            var before = new Dictionary<uint, MboxRecord>(previous.Count);
            foreach (var r in previous.Records())
            {
                before[r.Uid] = r;
            }

            index.UidValidity = previous.UidValidity;
            index.UidNext = Math.Max(previous.UidNext, fileBase?.UidNext ?? 1);
            index.RecentBoundary = previous.RecentBoundary;
            index.HighestModSeq = previous.HighestModSeq;
            foreach (var m in parsed)
            {
                uint x = m.XUid;
                bool fresh = x > last && x >= previous.UidNext;
                MboxRecord old = default;
                bool known = x > last && before.TryGetValue(x, out old) && old.Size == m.ClientSize;
                uint uid;
                int bits = 0;
                var flags = m.FlagSet;
                ulong modSeq;
                if (known)
                {
                    uid = x;
                    if (old.Has(MboxRecord.FlagsChanged))
                    {
                        flags = old.Flags; // our STORE not yet written back wins
                        bits |= MboxRecord.Dirty | MboxRecord.FlagsChanged;
                    }

                    modSeq = flags.Equals(old.Flags) ? old.ModSeq : ++index.HighestModSeq;
                }
                else if (fresh)
                {
                    uid = x;
                    modSeq = ++index.HighestModSeq;
                }
                else
                {
                    uid = Math.Max(index.UidNext, last + 1);
                    bits |= MboxRecord.Dirty;
                    modSeq = ++index.HighestModSeq;
                }

                records.Add(RecordOf(m, uid, flags, modSeq, bits, DateOf(m, now), known ? old.SaveDate : null));
                index.UidNext = Math.Max(index.UidNext, uid + 1);
                last = uid;
                before.Remove(uid);
            }

            if (before.Count > 0)
            {
                // Gone from the file behind our back (another program expunged them): they vanish now.
                Vanished.Record(index.UidValidity, ++index.HighestModSeq, before.Keys.Order().ToList());
            }
        }
        else
        {
            // No usable history: take the file's word (X-IMAPbase, X-UID), as GNU imap4d, Dovecot and UW do.
            bool consistent = fileBase is not null;
            if (consistent)
            {
                bool seenMissing = false;
                foreach (var m in parsed)
                {
                    if (m.XUid == 0 || m.XUid <= last)
                    {
                        if (m.XUid != 0)
                        {
                            consistent = false; // reordered or duplicated UIDs
                        }

                        seenMissing = true;
                        continue;
                    }

                    if (seenMissing)
                    {
                        consistent = false; // a message without UID before one with: not a plain MDA append
                    }

                    last = m.XUid;
                }
            }

            last = 0;
            index.UidValidity = consistent ? fileBase!.Value.Validity : NewValidity(fileBase?.Validity ?? 0);
            index.UidNext = consistent ? fileBase!.Value.UidNext : 1;
            // No index, or one of another UIDVALIDITY: MODSEQs start above every one handed out
            // before (the counter file's ceiling), and what vanished meanwhile is unknown.
            index.HighestModSeq = Math.Max(index.HighestModSeq, Counter.RecoveryFloor(validityKept: consistent));
            Vanished.HistoryLost(index.UidValidity, index.HighestModSeq);
            uint firstNew = 0;
            foreach (var m in parsed)
            {
                uint uid;
                int bits = 0;
                if (consistent && m.XUid > last)
                {
                    uid = m.XUid;
                }
                else
                {
                    uid = Math.Max(index.UidNext, last + 1);
                    bits |= MboxRecord.Dirty;
                }

                if (!m.Old && firstNew == 0)
                {
                    firstNew = uid;
                }

                records.Add(RecordOf(m, uid, m.FlagSet, ++index.HighestModSeq, bits, DateOf(m, now)));
                index.UidNext = Math.Max(index.UidNext, uid + 1);
                last = uid;
            }

            index.RecentBoundary = firstNew == 0 ? index.UidNext - 1 : firstNew - 1;
            if (previous is not null)
            {
                Log.Info("{0}: UIDVALIDITY of the file ({1}) differs from the index ({2}); taking the file's",
                    MailboxPath, fileBase?.Validity, previous.UidValidity);
            }
        }

        if (records.Count > 0 && (parsed[0].ImapBase is not { } b || b.Validity != index.UidValidity))
        {
            records[0] = records[0].WithBits(records[0].Bits | MboxRecord.Dirty);
        }

        Index = index.WithRecords([.. records], records.Count);
        _indexMatchesDisk = false;
        _loaded = true;
        Generation++;
        LastRefresh = "full";
        _indexDirty = true;
        SaveIndex();
        Log.Info("{0}: parsed {1} messages ({2} bytes) in {3:F0} ms", MailboxPath, records.Count, now.Size,
            (DateTime.UtcNow - started).TotalMilliseconds);
    }

    private void CleanTemporaryFiles()
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(MailboxPath)) ?? "/";
        try
        {
            foreach (string file in Directory.EnumerateFiles(directory, "." + Path.GetFileName(MailboxPath) + ".imap4d-tmp.*"))
            {
                Log.Warn("removing leftover temporary file {0}", file);
                File.Delete(file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug(e, "cannot clean temporary files in {0}", directory);
        }
    }

    private void RecoverJournal(MailboxFileLock held)
    {
        string text;
        try
        {
            if (!Persistent || !File.Exists(JournalPath))
            {
                return;
            }

            text = File.ReadAllText(JournalPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] parts = lines.Length > 0 ? lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        var now = StampOf(held.Fd);
        if (parts.Length == 3 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out long inode)
            && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long oldSize)
            && long.TryParse(parts[2], CultureInfo.InvariantCulture, out long newSize)
            && inode == now.Inode && now.Size > oldSize && now.Size < newSize && held.Writable)
        {
            bool foreign = lines.Length > 1
                ? ContainsForeignSeparator(held.Handle, oldSize, now.Size, PlannedStarts(lines))
                : ContainsSeparator(held.Handle, oldSize + 1, now.Size); // a journal of an older version: one message
            if (foreign)
            {
                Log.Error("{0}: an interrupted append at {1} was followed by other mail; leaving it", MailboxPath, oldSize);
            }
            else
            {
                Log.Warn("{0}: removing an interrupted append ({1} of {2} bytes)", MailboxPath, now.Size - oldSize, newSize - oldSize);
                Syscall.ftruncate(held.Fd, oldSize);
                Syscall.fsync(held.Fd);
            }
        }

        TryDelete(JournalPath);
    }

    /// <summary>The journal's message starts: offset, then the From line as written.</summary>
    private static Dictionary<long, string> PlannedStarts(string[] lines)
    {
        var starts = new Dictionary<long, string>();
        foreach (string line in lines.Skip(1))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                starts[offset] = line[(space + 1)..];
            }
        }

        return starts;
    }

    /// <summary>
    /// True when the region holds a From line that is not one of ours, at its planned place with
    /// its planned text: other mail was appended after the interrupted write and must be kept.
    /// </summary>
    private static bool ContainsForeignSeparator(SafeFileHandle file, long start, long end, Dictionary<long, string> planned)
    {
        long from = Math.Max(0, start - 1);
        var buffer = new byte[(int)Math.Min(Math.Max(end - from, 6), 1 << 20)];
        for (long at = from; at < end; at += buffer.Length - 6)
        {
            int n = RandomAccess.Read(file, buffer, at);
            var span = buffer.AsSpan(0, n);
            int scanned = 0;
            while (span[scanned..].IndexOf("\nFrom "u8) is int hit && hit >= 0)
            {
                long lineStart = at + scanned + hit + 1;
                scanned += hit + 1;
                if (lineStart < start)
                {
                    continue;
                }

                if (!planned.TryGetValue(lineStart, out string? expected))
                {
                    return true;
                }

                // Our write may have stopped inside the line: what is there must begin it.
                var line = new byte[Math.Min(expected.Length, end - lineStart)];
                int got = RandomAccess.Read(file, line, lineStart);
                if (got != line.Length || !expected.StartsWith(Encoding.Latin1.GetString(line), StringComparison.Ordinal))
                {
                    return true;
                }
            }

            if (n < buffer.Length)
            {
                break;
            }
        }

        return false;
    }

    private static bool ContainsSeparator(SafeFileHandle file, long start, long end)
    {
        var buffer = new byte[(int)Math.Min(end - start, 1 << 20)];
        for (long at = start; at < end; at += buffer.Length - 6)
        {
            int n = RandomAccess.Read(file, buffer, at);
            if (buffer.AsSpan(0, n).IndexOf("\nFrom "u8) >= 0)
            {
                return true;
            }

            if (n < buffer.Length)
            {
                break;
            }
        }

        return false;
    }

    private static void TryDelete(string path)
    {
        if (path.StartsWith('.'))
        {
            return; // ".append" of no index
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Debug(e, "cannot delete {0}", path);
        }
    }

    public int FindRecord(uint uid) => Index.Find(uid);

    /// <summary>The client view of a message, read through the held lock.</summary>
    public byte[] ReadClientView(MailboxFileLock held, MboxRecord record, bool headerOnly = false)
    {
        var raw = ReadRaw(held.Handle, record, headerOnly);
        return raw is null
            ? throw new StorageException(StorageError.Temporary, "Mailbox changed; try again", $"short read at {record.Offset}")
            : Render(record, raw, headerOnly);
    }

    /// <summary>
    /// The client view of a message (or of its header, through the empty line that ends it) read
    /// without taking the mailbox lock, or null when that cannot be done safely. Safe because the
    /// bytes are read through a descriptor of the very file the index describes, and the file is
    /// seen unchanged (same size, mtime, ctime) before and after the read, with a ctime more than
    /// <see cref="SettledNs"/> old (<see cref="IsSettled"/>): any write in between, even in the
    /// same clock tick as the index was made, would have moved the ctime. Writers that rename a new file into place
    /// leave this descriptor's file alone altogether.
    /// </summary>
    public byte[]? TryReadClientViewUnlocked(uint uid, bool headerOnly)
    {
        var source = Index.Source;
        if (!_loaded || source == SourceStamp.None || !IsSettled(source, NowNs()))
        {
            return null;
        }

        int at = FindRecord(uid);
        if (at < 0)
        {
            return null;
        }

        var reader = Reader(source);
        if (reader is null || StampOf(reader) != source)
        {
            return null;
        }

        var record = Index[at];
        var raw = ReadRaw(reader, record, headerOnly);
        if (raw is null || StampOf(reader) != source)
        {
            return null;
        }

        UnlockedReads++;
        return Render(record, raw, headerOnly);
    }

    /// <summary>Messages larger than this are read into a spool file rather than memory.</summary>
    public const long LargeMessage = 4L << 20;

    /// <summary>The client-view size of <paramref name="uid"/> as the index knows it; -1 when unknown.</summary>
    public long SizeOf(uint uid) => FindRecord(uid) is int at and >= 0 ? Index[at].Size : -1;

    /// <summary>As <see cref="ReadClientView"/>, for a large message: into a private spool file, never all in memory.</summary>
    public FileStream SpoolClientView(MailboxFileLock held, MboxRecord record) =>
        SpoolClientView(held.Handle, record)
        ?? throw new StorageException(StorageError.Temporary, "Mailbox changed; try again", $"short read at {record.Offset}");

    /// <summary>As <see cref="TryReadClientViewUnlocked"/>, for a large message: into a private spool file.</summary>
    public FileStream? TrySpoolClientViewUnlocked(uint uid)
    {
        var source = Index.Source;
        if (!_loaded || source == SourceStamp.None || !IsSettled(source, NowNs()))
        {
            return null;
        }

        int at = FindRecord(uid);
        var reader = at < 0 ? null : Reader(source);
        if (reader is null || StampOf(reader) != source)
        {
            return null;
        }

        var spool = SpoolClientView(reader, Index[at]);
        if (spool is not null && StampOf(reader) != source)
        {
            spool.Dispose();
            return null;
        }

        if (spool is not null)
        {
            UnlockedReads++;
        }

        return spool;
    }

    /// <summary>
    /// Renders a message into a spool file: the header in memory (it is small), the body line by
    /// line through a fixed buffer. Null when the file ended early or the size is not the index's.
    /// </summary>
    private static FileStream? SpoolClientView(SafeFileHandle file, MboxRecord record)
    {
        var layout = record;
        var header = new byte[layout.BodyOffset - layout.HeaderOffset];
        if (RandomAccess.Read(file, header, layout.HeaderOffset) != header.Length)
        {
            return null;
        }

        var spool = IO.SpillStream.CreateFile(Path.GetTempPath());
        try
        {
            spool.Write(ClientView.Render(header, header.Length, header.Length + header.Length / 8 + 2));
            using var body = new IO.FileWindowStream(file, layout.BodyOffset, layout.ContentEnd - layout.BodyOffset);
            var lines = new LfLineSegments(body);
            while (lines.Next(out var segment, out bool lineStart))
            {
                if (lineStart && MboxParser.IsQuotedFrom(segment))
                {
                    segment = segment[1..];
                }

                if (segment[^1] == '\n')
                {
                    spool.Write(segment[..^1]);
                    spool.Write("\r\n"u8);
                }
                else
                {
                    spool.Write(segment);
                }
            }

            spool.Flush();
            if (spool.Length != record.Size)
            {
                spool.Dispose();
                return null;
            }

            return spool;
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>How many reads were served without the lock (for tests).</summary>
    public long UnlockedReads { get; private set; }

    /// <summary>Closes the unlocked-read descriptor (when the mailbox is closed).</summary>
    public void CloseReader()
    {
        if (_reader is null)
        {
            return;
        }

        // Closing any descriptor of the file drops this process's fcntl locks on it: do it while
        // no session of this process can hold one.
        using (ProcessLock.Acquire(MailboxPath, _locking))
        {
            _reader.Dispose();
        }

        _reader = null;
    }

    private SafeFileHandle? Reader(SourceStamp source)
    {
        if (_reader is not null && _readerInode == source.Inode)
        {
            return _reader;
        }

        CloseReader();
        int fd = Syscall.open(MailboxPath, OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return null;
        }

        _reader = new SafeFileHandle(fd, ownsHandle: true);
        _readerInode = Syscall.fstat(fd, out Stat st) == 0 ? (long)st.st_ino : -1;
        return _readerInode == source.Inode ? _reader : null;
    }

    private static SourceStamp StampOf(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Syscall.fstat((int)handle.DangerousGetHandle(), out Stat st) != 0
                ? SourceStamp.None
                : new SourceStamp(st.st_size, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec, (long)st.st_ino,
                    st.st_ctime * 1_000_000_000L + st.st_ctime_nsec);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    /// <summary>The stored bytes of a message from its first header line (to the end of the header only, when asked); null on a short read.</summary>
    private static byte[]? ReadRaw(SafeFileHandle file, MboxRecord record, bool headerOnly)
    {
        var layout = record;
        long length = (headerOnly ? layout.BodyOffset : layout.ContentEnd) - layout.HeaderOffset;
        if (length > int.MaxValue - 64)
        {
            throw new StorageException(StorageError.TooBig, "Message too big");
        }

        var raw = new byte[length];
        int read = 0;
        while (read < raw.Length)
        {
            int n = RandomAccess.Read(file, raw.AsSpan(read), layout.HeaderOffset + read);
            if (n <= 0)
            {
                return null;
            }

            read += n;
        }

        return raw;
    }

    private byte[] Render(MboxRecord record, byte[] raw, bool headerOnly)
    {
        var layout = record;
        int bodyStart = (int)(layout.BodyOffset - layout.HeaderOffset);
        var view = ClientView.Render(raw, bodyStart, headerOnly ? raw.Length + raw.Length / 8 + 2 : record.Size);
        if (!headerOnly && view.Length != record.Size)
        {
            Log.Error("{0}: message {1} is {2} bytes, index says {3}", MailboxPath, record.Uid, view.Length, record.Size);
        }

        return view;
    }

    /// <summary>
    /// Appends one prepared message with UID <see cref="MboxIndex.UidNext"/>; the index learns it
    /// at the next refresh. Written straight from the draft's spool to the file: header, our
    /// bookkeeping headers, empty line, body, and the separating empty line.
    /// </summary>
    public uint Append(MailboxFileLock held, MboxDraft draft, FlagSet flags, DateTimeOffset internalDate) =>
        AppendBatch(held, [(draft, flags, internalDate)])[0];

    /// <summary>
    /// Appends <paramref name="messages"/> at the end of the file under one journal entry and one
    /// fsync: after a crash or a failed write none of them is kept. Their records reach the index
    /// at the next <see cref="Refresh"/> (one parse of the new tail). Returns their UIDs.
    /// </summary>
    public IReadOnlyList<uint> AppendBatch(MailboxFileLock held, IReadOnlyList<(MboxDraft Draft, FlagSet Flags, DateTimeOffset InternalDate)> messages)
    {
        if (!held.Writable)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox is not writable");
        }

        var now = StampOf(held.Fd);
        uint firstUid = Math.Max(Index.UidNext, Index.Count > 0 ? Index.Last.Uid + 1 : 1);
        bool empty = Index.Count == 0;
        var keywords = empty ? messages.SelectMany(m => m.Flags.Keywords).Distinct(FlagSet.KeywordComparer).ToList() : null;

        // What goes before and between each draft's header and body; only the first message may
        // need line breaks to separate it from what the file ends with (ours always end in a blank line
        // or at an honoured Content-Length).
        var pieces = new List<(byte[] Before, byte[] Between)>(messages.Count);
        var starts = new List<(long Offset, byte[] FromLine)>(messages.Count);
        long total = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            var (draft, flags, internalDate) = messages[i];
            uint uid = firstUid + (uint)i;
            var before = new MemoryStream();
            if (i == 0)
            {
                WriteSeparation(held, now, before);
            }

            byte[] fromLine = FromLine.Format(draft.EnvelopeSender, internalDate);
            starts.Add((now.Size + total + before.Length, fromLine));
            before.Write(fromLine);
            var between = new MemoryStream();
            (uint Validity, uint UidNext, IEnumerable<string> Keywords)? imapBase = empty && i == 0 ? (Index.UidValidity, firstUid + (uint)messages.Count, keywords!) : null;
            between.Write(MboxHeaders.Format(flags, uid, old: false, imapBase));
            if (!draft.BodyEndsWithNewline)
            {
                between.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {draft.BodyLength}\n")));
            }

            if (draft.HasBody)
            {
                between.WriteByte((byte)'\n');
            }

            pieces.Add((before.ToArray(), between.ToArray()));
            total += before.Length + draft.HeaderLength + between.Length + draft.BodyLength + 1;
        }

        WriteJournal(now.Inode, now.Size, now.Size + total, starts);
        try
        {
            var writer = new GatheredFileWriter(held.Handle, now.Size);
            for (int i = 0; i < messages.Count; i++)
            {
                var (before, between) = pieces[i];
                messages[i].Draft.AddTo(writer, before, between);
            }

            writer.Flush();
            if (Syscall.fsync(held.Fd) != 0)
            {
                throw new IOException("fsync: " + NativeErrno.Last);
            }
        }
        catch (IOException e)
        {
            Syscall.ftruncate(held.Fd, now.Size);
            TryDelete(JournalPath);
            bool full = e.HResult == 28 || e.Message.Contains("space", StringComparison.OrdinalIgnoreCase);
            throw new StorageException(full ? StorageError.OverQuota : StorageError.Temporary,
                full ? "Disk full" : "Cannot write mailbox", e.Message, e);
        }

        TryDelete(JournalPath);
        if (Index.Source == now)
        {
            // What was just written is in the page cache: read it back into the index now, so the
            // next operation of any session finds the index current (no tail to parse, no lock to poll).
            ParseTail(held, StampOf(held.Fd), DateTimeOffset.UtcNow.ToUnixTimeSeconds()); // saved by the caller, still under the lock
        }

        return Enumerable.Range(0, messages.Count).Select(i => firstUid + (uint)i).ToList();
    }

    /// <summary>The line breaks a new message needs after what the file ends with now.</summary>
    private void WriteSeparation(MailboxFileLock held, SourceStamp now, MemoryStream output)
    {
        bool endsWithContentLengthBody = Index.Count > 0 && Index.Last.End == now.Size
            && Index.Last.Has(MboxRecord.ContentLengthHonoured);
        if (now.Size > 0 && !endsWithContentLengthBody)
        {
            Span<byte> tail = stackalloc byte[2];
            int n = RandomAccess.Read(held.Handle, tail, Math.Max(0, now.Size - 2));
            if (n == 2 && tail[1] == '\n' && tail[0] != '\n')
            {
                output.WriteByte((byte)'\n');
            }
            else if (n > 0 && tail[n - 1] != '\n')
            {
                output.Write("\n\n"u8);
            }
        }
    }

    /// <summary>
    /// Records an append in progress: the file's inode, its size before and after, and where each
    /// message's From line goes with its text, so that recovery removes exactly our own bytes.
    /// </summary>
    private void WriteJournal(long inode, long oldSize, long newSize, IReadOnlyList<(long Offset, byte[] FromLine)> starts)
    {
        if (!Persistent)
        {
            return;
        }

        try
        {
            string directory = Path.GetDirectoryName(JournalPath)!;
            if (!Directory.Exists(directory) && !PrivateFiles.EnsureDirectory(directory))
            {
                throw new IOException("cannot make a private directory " + directory);
            }

            using var journal = PrivateFiles.Open(JournalPath, FileMode.Create, FileAccess.Write);
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{inode} {oldSize} {newSize}\n");
            foreach (var (offset, fromLine) in starts)
            {
                text.Append(CultureInfo.InvariantCulture, $"{offset} ").Append(Encoding.Latin1.GetString(fromLine).TrimEnd('\n')).Append('\n');
            }

            journal.Write(Encoding.Latin1.GetBytes(text.ToString()));
            // Not fsynced: it guards against a killed writer (its page-cache copy survives that);
            // after a power loss an unacknowledged append may remain at the end of the file.
            journal.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot write append journal {0}", JournalPath);
        }
    }

    /// <summary>
    /// Rewrites the whole mailbox through a temporary file and rename: bookkeeping headers from the
    /// index, messages in <paramref name="remove"/> left out. The held lock's descriptor still names
    /// the old file afterwards: do no more I/O under it.
    /// </summary>
    public void Rewrite(MailboxFileLock held, IReadOnlySet<uint>? remove)
    {
        if (!held.Writable)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox is not writable");
        }

        var started = DateTime.UtcNow;
        CleanTemporaryFiles(); // we hold the lock: no rewrite is in progress, these are a crash's leftovers
        string full = Path.GetFullPath(MailboxPath);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string temp = Path.Combine(directory, "." + Path.GetFileName(full) + ".imap4d-tmp." + Environment.ProcessId + "."
                                              + Guid.NewGuid().ToString("N")[..8]);
        Syscall.fstat(held.Fd, out Stat original);
        int fd = Syscall.open(temp, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL,
            original.st_mode & (FilePermissions)0xfff);
        if (fd < 0)
        {
            throw new StorageException(StorageError.NoPermission, "Cannot rewrite mailbox",
                $"create {temp}: {NativeErrno.Last}");
        }

        var records = Index;
        var kept = new List<MboxRecord>(records.Count);
        try
        {
            using (var output = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, 1 << 20))
            {
                long firstOffset = records.Count > 0 ? records[0].Offset : StampOf(held.Fd).Size;
                CopyPrefix(held, output, firstOffset);
                bool first = true;
                var copyBuffer = new byte[1 << 20];
                var keywords = records.KeywordsInUse();
                foreach (var record in records.Records())
                {
                    if (remove is not null && remove.Contains(record.Uid))
                    {
                        continue;
                    }

                    kept.Add(RewriteOne(held, output, record, first ? (Index.UidValidity, Index.UidNext, keywords) : null, copyBuffer));
                    first = false;
                }

                output.Flush(flushToDisk: true);
                if (Syscall.fchown(fd, original.st_uid, original.st_gid) != 0)
                {
                    Log.Debug("fchown {0}: {1}", temp, NativeErrno.Last);
                }

                Syscall.fchmod(fd, original.st_mode & (FilePermissions)0xfff);
            }

            if (Syscall.rename(temp, full) != 0)
            {
                throw new IOException("rename: " + NativeErrno.Last);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StorageException(StorageError.Temporary, "Cannot rewrite mailbox", e.Message, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
        if (kept.Count < records.Count)
        {
            var removed = records.Records().Select(r => r.Uid).Where(uid => remove!.Contains(uid)).ToList();
            Vanished.Record(records.UidValidity, ++records.HighestModSeq, removed);
        }

        Index = Index.WithRecords([.. kept], kept.Count);
        Index.Source = SourceStamp.Of(full);
        _indexMatchesDisk = false;
        Generation++;
        _indexDirty = true;
        SaveIndex();
        Log.Info("{0}: rewrote {1} messages in {2:F0} ms", MailboxPath, kept.Count, (DateTime.UtcNow - started).TotalMilliseconds);
    }

    private static void SyncDirectory(string directory)
    {
        int dfd = Syscall.open(directory, OpenFlags.O_RDONLY);
        if (dfd >= 0)
        {
            Syscall.fsync(dfd);
            Syscall.close(dfd);
        }
    }

    private static void CopyPrefix(MailboxFileLock held, Stream output, long firstOffset)
    {
        if (firstOffset <= 0)
        {
            return;
        }

        // Text before the first message is kept; UW's pseudo message is dropped (X-IMAPbase replaces it).
        var pseudo = MboxParser.Parse(held.Handle, 0, firstOffset).FirstOrDefault(m => m.IsPseudo);
        long skipFrom = pseudo?.FromOffset ?? firstOffset;
        long skipTo = pseudo?.End ?? firstOffset;
        CopyRange(held.Handle, output, 0, skipFrom, new byte[64 * 1024]);
        CopyRange(held.Handle, output, skipTo, firstOffset, new byte[64 * 1024]);
    }

    private static void CopyRange(SafeFileHandle file, Stream output, long start, long end, byte[] buffer)
    {
        for (long at = start; at < end;)
        {
            int n = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, end - at)), at);
            if (n <= 0)
            {
                throw new IOException("mailbox shrank while rewriting");
            }

            output.Write(buffer, 0, n);
            at += n;
        }
    }

    private MboxRecord RewriteOne(MailboxFileLock held, Stream output, MboxRecord record,
        (uint, uint, IEnumerable<string>)? imapBase, byte[] buffer)
    {
        var layout = record;
        var head = new byte[layout.BodyOffset - record.Offset];
        if (RandomAccess.Read(held.Handle, head, record.Offset) != head.Length || !head.AsSpan().StartsWith("From "u8))
        {
            throw new IOException($"message {record.Uid} not found at {record.Offset}");
        }

        long newFrom = output.Position;
        var span = head.AsSpan();
        int lf = span.IndexOf((byte)'\n');
        output.Write(span[..(lf + 1)]);
        long newHeader = output.Position;
        int pos = lf + 1;
        bool hiding = false;
        bool keepContentLength = layout.Has(MboxRecord.ContentLengthHonoured);
        bool hasContentLength = false;
        bool sawBlank = false;
        while (pos < span.Length)
        {
            int e = span[pos..].IndexOf((byte)'\n');
            int end = e < 0 ? span.Length : pos + e + 1;
            var line = span[pos..end];
            pos = end;
            if (MboxParser.IsBlank(line))
            {
                sawBlank = true;
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (!hiding)
                {
                    output.Write(line);
                }

                continue;
            }

            int hidden = MboxHeaders.HiddenIndex(MboxHeaders.FieldName(line));
            hiding = hidden >= 0 && !(hidden == 6 && keepContentLength);
            hasContentLength |= hidden == 6 && keepContentLength;
            if (!hiding)
            {
                output.Write(line);
                if (line[^1] != '\n')
                {
                    output.WriteByte((byte)'\n');
                }
            }
        }

        bool old = record.Uid <= Index.RecentBoundary || layout.Has(MboxRecord.Old);
        output.Write(MboxHeaders.Format(record.Flags, record.Uid, old, imapBase));
        int oldBit = old ? MboxRecord.Old : 0;
        if (!sawBlank)
        {
            // A header without body and without empty line: the one newline we add is the separator.
            long end = output.Position;
            output.WriteByte((byte)'\n');
            return record with { Offset = newFrom, HeaderOffset = newHeader, BodyOffset = end, ContentEnd = end, End = output.Position, Bits = oldBit };
        }

        long bodyLength = layout.ContentEnd - layout.BodyOffset;
        bool endsWithNewline = bodyLength == 0;
        if (bodyLength > 0)
        {
            Span<byte> lastByte = stackalloc byte[1];
            RandomAccess.Read(held.Handle, lastByte, layout.ContentEnd - 1);
            endsWithNewline = lastByte[0] == '\n';
        }

        if (!endsWithNewline && !hasContentLength)
        {
            output.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {bodyLength}\n")));
            keepContentLength = true;
        }

        output.WriteByte((byte)'\n');
        long newBody = output.Position;
        CopyRange(held.Handle, output, layout.BodyOffset, layout.ContentEnd, buffer);
        long newContentEnd = output.Position;
        output.WriteByte((byte)'\n');
        int bits = oldBit | (keepContentLength ? MboxRecord.ContentLengthHonoured : 0);
        return record with { Offset = newFrom, HeaderOffset = newHeader, BodyOffset = newBody, ContentEnd = newContentEnd, End = output.Position, Bits = bits };
    }

    public bool NeedsWriteBack => Index.AnyNeedsWriteBack();

    /// <summary>The index after a refresh for the first time: a new, empty mailbox gets its UIDVALIDITY here.</summary>
    public void EnsureValidity()
    {
        if (Index.UidValidity == 0)
        {
            Index.UidValidity = NewValidity(0);
            _indexDirty = true;
        }
    }
}
