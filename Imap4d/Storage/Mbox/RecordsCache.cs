namespace Imap4d.Storage.Mbox;

/// <summary>
/// The records of recently read index files, in their file form, shared by the sessions of one
/// process (a user process serves many of the user's connections): a re-SELECT of an unchanged
/// large mailbox then reads nothing. Keyed by the index file's path and matched by its id and
/// modify counter, so an entry serves only the records that file still holds unchanged (appends
/// past them are read from the file). The bytes are never written (see <see cref="MboxIndex"/>).
/// Bounded: small mailboxes are not kept (cheap to read) and the oldest entries go first.
/// </summary>
internal static class RecordsCache
{
    /// <summary>Below this many records, reading the file is about as cheap as looking here.</summary>
    public const int MinimumRecords = 2000;

    /// <summary>At most this many records in all (80 bytes each).</summary>
    public const int MaximumRecords = 300_000;

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static readonly Lock Guard = new();
    private static long _clock;

    /// <summary>The first <see cref="Count"/> records of a file (at the start of <see cref="Bytes"/>) and the keyword names of their bits.</summary>
    public readonly record struct Records(byte[] Bytes, int Count, KeywordSets Keywords);

    private sealed record Entry(ulong FileId, ulong ModifyCounter, Records Records, long LastUse);

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
                || entry.Records.Count > stamp.Count)
            {
                Entries.Remove(path);
                return null;
            }

            Entries[path] = entry with { LastUse = ++_clock };
            return entry.Records;
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
            Entries[path] = new Entry(stamp.FileId, stamp.ModifyCounter, new Records(bytes, count, keywords), ++_clock);
            long total = Entries.Values.Sum(e => (long)e.Records.Count);
            while (total > MaximumRecords)
            {
                var oldest = Entries.MinBy(e => e.Value.LastUse);
                Entries.Remove(oldest.Key);
                total -= oldest.Value.Records.Count;
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
