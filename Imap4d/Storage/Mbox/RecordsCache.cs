namespace Imap4d.Storage.Mbox;

/// <summary>
/// The records of recently read index files, in their file form, shared by the sessions of one
/// process (a user process serves many of the user's connections): a re-SELECT of an unchanged
/// large mailbox then reads nothing. Keyed by the index file's path and matched by its id and
/// modify counter, so an entry serves only the records that file still holds unchanged (appends
/// past them are read from the file). The bytes are never written (see <see cref="MboxIndex"/>).
/// Bounded: small mailboxes are not kept (cheap to read) and the oldest entries go first.
/// <para>
/// An entry holds its bytes only for a moment after its last use (<see cref="Release"/>, called
/// about every second with that moment): a new session of the same mailbox soon after finds them
/// (a reconnect, a re-SELECT); after that the entry keeps only a weak reference, which still finds
/// the bytes while a session of the process has the mailbox open and shares them, and lets them
/// go with the mailbox's last session.
/// </para>
/// </summary>
internal static class RecordsCache
{
    /// <summary>Below this many records, reading the file is about as cheap as looking here.</summary>
    public const int MinimumRecords = 2000;

    /// <summary>At most this many records held in all (80 bytes each).</summary>
    public const int MaximumRecords = 300_000;

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock Guard = new();
    private static long _clock;

    /// <summary>The first <see cref="Count"/> records of a file (at the start of <see cref="Bytes"/>) and the keyword names of their bits.</summary>
    public readonly record struct Records(byte[] Bytes, int Count, KeywordSets Keywords);

    private sealed class Entry(ulong fileId, ulong modifyCounter, byte[] bytes, int count, KeywordSets keywords)
    {
        public ulong FileId { get; } = fileId;

        public ulong ModifyCounter { get; } = modifyCounter;

        public int Count { get; } = count;

        public KeywordSets Keywords { get; } = keywords;

        public WeakReference<byte[]> Weak { get; } = new(bytes);

        /// <summary>The bytes while the entry is held; null once only the weak reference is left.</summary>
        public byte[]? Strong { get; set; } = bytes;

        /// <summary>Order of last use, for eviction.</summary>
        public long LastUse { get; set; }

        /// <summary>When it was last used (<see cref="Environment.TickCount64"/>).</summary>
        public long LastUseMs { get; set; }

        public byte[]? Bytes => Strong ?? (Weak.TryGetTarget(out var b) ? b : null);
    }

    /// <summary>Records the file of <paramref name="stamp"/> holds unchanged at its start; null when none are known.</summary>
    public static Records? Find(string path, MboxIndexFile.Stamp stamp)
    {
        lock (Guard)
        {
            if (!Entries.TryGetValue(path, out var entry))
            {
                return null;
            }

            if (stamp.InProgress || entry.FileId != stamp.FileId || entry.ModifyCounter != stamp.ModifyCounter
                || entry.Count > stamp.Count || entry.Bytes is not { } bytes)
            {
                Entries.Remove(path);
                return null;
            }

            Use(entry, bytes);
            Bound();
            return new Records(bytes, entry.Count, entry.Keywords);
        }
    }

    public static void Keep(string path, MboxIndexFile.Stamp stamp, byte[] bytes, int count, KeywordSets keywords)
    {
        if (count < MinimumRecords || count > MaximumRecords || stamp.InProgress)
        {
            return;
        }

        lock (Guard)
        {
            var entry = new Entry(stamp.FileId, stamp.ModifyCounter, bytes, count, keywords);
            Entries[path] = entry;
            Use(entry, bytes);
            Bound();
        }
    }

    private static void Use(Entry entry, byte[] bytes)
    {
        entry.Strong = bytes;
        entry.LastUse = ++_clock;
        entry.LastUseMs = Environment.TickCount64;
    }

    /// <summary>Lets go of the oldest held entries beyond <see cref="MaximumRecords"/>.</summary>
    private static void Bound()
    {
        long total = Entries.Values.Where(e => e.Strong is not null).Sum(e => (long)e.Count);
        while (total > MaximumRecords)
        {
            var oldest = Entries.Where(e => e.Value.Strong is not null).MinBy(e => e.Value.LastUse);
            Entries.Remove(oldest.Key);
            total -= oldest.Value.Count;
        }
    }

    /// <summary>
    /// Stops holding the entries not used for <paramref name="unusedFor"/> (they stay findable
    /// while a session holds their bytes) and forgets those whose bytes are gone. Returns the
    /// bytes no longer held, which a collection may now return to the system.
    /// </summary>
    public static long Release(TimeSpan unusedFor)
    {
        long now = Environment.TickCount64;
        long released = 0;
        lock (Guard)
        {
            foreach (var (path, entry) in Entries.ToList())
            {
                if (entry.Strong is { } bytes && now - entry.LastUseMs >= (long)unusedFor.TotalMilliseconds)
                {
                    entry.Strong = null;
                    released += bytes.Length;
                }
                else if (entry.Strong is null && !entry.Weak.TryGetTarget(out _))
                {
                    Entries.Remove(path);
                }
            }
        }

        return released;
    }

    /// <summary>Bytes of the entries no longer held but still alive: a session had them, and may have let go.</summary>
    public static long UnheldBytes()
    {
        lock (Guard)
        {
            long total = 0;
            foreach (var entry in Entries.Values)
            {
                if (entry.Strong is null && entry.Weak.TryGetTarget(out var bytes))
                {
                    total += bytes.Length;
                }
            }

            return total;
        }
    }

    /// <summary>Records held in all (tests).</summary>
    public static int HeldRecords
    {
        get
        {
            lock (Guard)
            {
                return Entries.Values.Where(e => e.Strong is not null).Sum(e => e.Count);
            }
        }
    }

    /// <summary>Forgets everything (a process with no session left, and tests).</summary>
    public static void Clear()
    {
        lock (Guard)
        {
            Entries.Clear();
        }
    }
}
