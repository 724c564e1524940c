namespace Imap4d.Storage.Mbox;

/// <summary>
/// The decoded records of recently read index files, shared by the sessions of one process (a
/// user process serves many of the user's connections): a re-SELECT of an unchanged large
/// mailbox then decodes nothing. Keyed by the index file's path and matched by its id and modify
/// counter, so an entry serves only the records that file still holds unchanged (appends past
/// them are read from the file). The arrays are never written (see <see cref="MboxIndex"/>).
/// Bounded: small mailboxes are not kept (cheap to read) and the oldest entries go first.
/// </summary>
internal static class RecordsCache
{
    /// <summary>Below this many records, reading the file is about as cheap as looking here.</summary>
    public const int MinimumRecords = 2000;

    /// <summary>At most this many records in all (about 100 bytes each).</summary>
    public const int MaximumRecords = 300_000;

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock Guard = new();
    private static long _clock;

    private sealed record Entry(ulong FileId, ulong ModifyCounter, MboxRecord[] Records, long LastUse);

    /// <summary>Records the file of <paramref name="stamp"/> holds unchanged at its start; null when none are known.</summary>
    public static MboxRecord[]? Find(string path, MboxIndexFile.Stamp stamp)
    {
        lock (Guard)
        {
            if (!Entries.TryGetValue(path, out var entry))
            {
                return null;
            }

            if (stamp.InProgress || entry.FileId != stamp.FileId || entry.ModifyCounter != stamp.ModifyCounter
                || entry.Records.Length > stamp.Count)
            {
                Entries.Remove(path);
                return null;
            }

            Entries[path] = entry with { LastUse = ++_clock };
            return entry.Records;
        }
    }

    public static void Keep(string path, MboxIndexFile.Stamp stamp, MboxRecord[] records)
    {
        if (records.Length < MinimumRecords || records.Length > MaximumRecords || stamp.InProgress)
        {
            return;
        }

        lock (Guard)
        {
            Entries[path] = new Entry(stamp.FileId, stamp.ModifyCounter, records, ++_clock);
            long total = Entries.Values.Sum(e => (long)e.Records.Length);
            while (total > MaximumRecords)
            {
                var oldest = Entries.MinBy(e => e.Value.LastUse);
                Entries.Remove(oldest.Key);
                total -= oldest.Value.Records.Length;
            }
        }
    }

    /// <summary>Forgets everything (tests).</summary>
    public static void Clear()
    {
        lock (Guard)
        {
            Entries.Clear();
        }
    }
}
