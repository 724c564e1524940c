using Imap4d.Storage.Index;

namespace Imap4d.Storage.Maildir;

internal sealed partial class MaildirMailbox
{
    /// <summary>
    /// What the sessions of one process know of one maildir: the UID list, the index's entries and
    /// stamps. A user process serves all of the user's connections as threads, and each of them
    /// with the maildir selected kept a copy of this (hundreds of bytes per message); now they hold
    /// one, and only their views (<see cref="MaildirMessageList"/>) of their own. It is read and
    /// changed only under <see cref="MaildirLock"/> (whose in-process monitor orders the threads),
    /// refreshed from the files there as before (stamps of the UID list, index and directories), so
    /// another program's or process's change is seen exactly as by a state of one's own; lookups
    /// that run without that lock (lazy dates and sizes, message content) go through
    /// <see cref="Guard"/>, which every addition or removal of an entry takes too.
    /// </summary>
    private sealed class SharedState
    {
        public readonly Lock Guard = new();
        public readonly MaildirUidList UidList = new();
        public readonly HashSet<string> ExpungedKeys = new(StringComparer.Ordinal);
        public Dictionary<uint, MaildirEntry> Entries = [];
        public Dictionary<string, MaildirEntry> ByKey = new(StringComparer.Ordinal);
        public uint UidValidity;
        public uint MaxUid;
        public bool MemoryOnly;
        public uint RecentBoundary;
        public ulong HighestModSeq = 1;
        public SourceStamp CurStamp;
        public SourceStamp NewStamp;
        public SourceStamp IndexStamp;
        public long OwnStampsRecheckAt;
        public long OwnSinceNs;
        public long OwnUntilNs;
        public bool Loaded;
        public bool IndexLoaded;
        public bool Dirty;
        public MaildirForeignUids? Adopting;
        public MaildirKeywords? Keywords;
        public int ScanMark;
        public long Version;
        public (uint Validity, uint Next) MailutilsWritten;

        /// <summary>The rows of the last view made, at <see cref="ViewRowsVersion"/>: sessions in step share them.</summary>
        public MaildirMessageList.Row[]? ViewRows;
        public long ViewRowsVersion = -1;

        /// <summary>Open mailbox objects using this state (under <see cref="Table"/>'s lock).</summary>
        public int Users;
    }

    private static readonly Dictionary<string, SharedState> Table = new(StringComparer.Ordinal);

    /// <summary>The state of <paramref name="key"/>, shared with the other open objects of it in this process.</summary>
    private static SharedState Join(string key)
    {
        lock (Table)
        {
            if (!Table.TryGetValue(key, out var state))
            {
                state = new SharedState();
                Table[key] = state;
            }

            state.Users++;
            return state;
        }
    }

    private static void Leave(string key, SharedState state)
    {
        lock (Table)
        {
            if (--state.Users == 0 && Table.TryGetValue(key, out var known) && ReferenceEquals(known, state))
            {
                Table.Remove(key);
                state.UidList.Close(); // no object uses it any more: its held file goes
            }
        }
    }

    /// <summary>How many maildirs have a shared state now (tests).</summary>
    internal static int SharedStates
    {
        get
        {
            lock (Table)
            {
                return Table.Count;
            }
        }
    }

    private readonly SharedState _s;
    private readonly string? _sharedKey;
    private bool _left;

    // The fields the state had when every object kept its own (the code below them is unchanged).
    private MaildirUidList _uidList => _s.UidList;
    private HashSet<string> _expungedKeys => _s.ExpungedKeys;
    private Dictionary<uint, MaildirEntry> _entries { get => _s.Entries; set => _s.Entries = value; }
    private Dictionary<string, MaildirEntry> _byKey { get => _s.ByKey; set => _s.ByKey = value; }
    private uint _uidValidity { get => _s.UidValidity; set => _s.UidValidity = value; }
    private uint _maxUid { get => _s.MaxUid; set => _s.MaxUid = value; }
    private bool _memoryOnly { get => _s.MemoryOnly; set => _s.MemoryOnly = value; }
    private uint _recentBoundary { get => _s.RecentBoundary; set => _s.RecentBoundary = value; }
    private ulong _highestModSeq { get => _s.HighestModSeq; set => _s.HighestModSeq = value; }
    private SourceStamp _curStamp { get => _s.CurStamp; set => _s.CurStamp = value; }
    private SourceStamp _newStamp { get => _s.NewStamp; set => _s.NewStamp = value; }
    private SourceStamp _indexStamp { get => _s.IndexStamp; set => _s.IndexStamp = value; }
    private long _ownStampsRecheckAt { get => _s.OwnStampsRecheckAt; set => _s.OwnStampsRecheckAt = value; }
    private long _ownSinceNs { get => _s.OwnSinceNs; set => _s.OwnSinceNs = value; }
    private long _ownUntilNs { get => _s.OwnUntilNs; set => _s.OwnUntilNs = value; }
    private bool _loaded { get => _s.Loaded; set => _s.Loaded = value; }
    private bool _indexLoaded { get => _s.IndexLoaded; set => _s.IndexLoaded = value; }
    private bool _dirty { get => _s.Dirty; set => _s.Dirty = value; }
    private MaildirForeignUids? _adopting { get => _s.Adopting; set => _s.Adopting = value; }
    private MaildirKeywords _keywords { get => _s.Keywords!; set => _s.Keywords = value; }
    private int _scanMark { get => _s.ScanMark; set => _s.ScanMark = value; }
    private long _version { get => _s.Version; set => _s.Version = value; }
    private (uint Validity, uint Next) _mailutilsWritten { get => _s.MailutilsWritten; set => _s.MailutilsWritten = value; }

    /// <summary>The live entry of <paramref name="uid"/>, for code that runs without <see cref="MaildirLock"/>.</summary>
    private bool TryGetLive(uint uid, out MaildirEntry entry)
    {
        lock (_s.Guard)
        {
            return _entries.TryGetValue(uid, out entry!);
        }
    }

    /// <summary>
    /// An exception filter for a failure part way through reading the files or listing under the
    /// lock (the state is shared: no session may go on with half of it): the next use reads the
    /// files again. Runs before the lock is left; always false.
    /// </summary>
    private bool Invalidated()
    {
        _s.Loaded = false;
        _s.Dirty = false;
        _s.Version++;
        return false;
    }
}
