using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The order of a string sort key's values as numbers, kept per mailbox and key
/// (<see cref="MailboxSortState"/>): a SORT then compares numbers, not strings, and a repeated
/// SORT takes each message's rank from its record (<see cref="SortRecord.KeptRank"/>) without
/// looking its string up. The table is made again from the messages at hand when one of them
/// has a value it lacks (new mail).
/// </summary>
internal static class SortRanks
{
    public static long[] Of(SelectedMailbox selected, SortKey key, SortRecord[] records, Func<SortRecord, string> value)
    {
        var state = MailboxSortState.For(selected);
        var ranks = new long[records.Length];
        lock (state.Lock)
        {
            if (state.Ranks.TryGetValue(key, out var table) && Fill(table, key, records, value, ranks))
            {
                return ranks;
            }

            var distinct = new HashSet<string>(records.Length, StringComparer.Ordinal);
            foreach (var record in records)
            {
                distinct.Add(value(record));
            }

            var sorted = distinct.ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            var map = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
            for (int i = 0; i < sorted.Length; i++)
            {
                map[sorted[i]] = i;
            }

            table = new SortRankTable(map);
            state.Ranks[key] = table;
            Fill(table, key, records, value, ranks);
            return ranks;
        }
    }

    private static bool Fill(SortRankTable table, SortKey key, SortRecord[] records, Func<SortRecord, string> value, long[] ranks)
    {
        for (int i = 0; i < records.Length; i++)
        {
            var record = records[i];
            int rank = record.KeptRank(key, table);
            if (rank < 0)
            {
                if (!table.Ranks.TryGetValue(value(record), out rank))
                {
                    return false;
                }

                record.KeepRank(key, table, rank);
            }

            ranks[i] = rank;
        }

        return true;
    }
}
