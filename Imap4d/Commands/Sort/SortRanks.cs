using System.Runtime.CompilerServices;
using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The order of a string sort key's values as numbers, kept per selection and key: a SORT then
/// compares numbers, not strings, and a repeated SORT ranks its messages with one lookup each.
/// The table is made again from the messages at hand when one of them has a value it lacks
/// (new mail).
/// </summary>
internal static class SortRanks
{
    private static readonly ConditionalWeakTable<SelectedMailbox, Dictionary<SortKey, Dictionary<string, int>>> Kept = new();

    public static long[] Of(SelectedMailbox selected, SortKey key, SortRecord[] records, Func<SortRecord, string> value)
    {
        var tables = Kept.GetValue(selected, _ => []);
        var ranks = new long[records.Length];
        if (tables.TryGetValue(key, out var table) && Fill(table, records, value, ranks))
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
        table = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        for (int i = 0; i < sorted.Length; i++)
        {
            table[sorted[i]] = i;
        }

        tables[key] = table;
        Fill(table, records, value, ranks);
        return ranks;
    }

    private static bool Fill(Dictionary<string, int> table, SortRecord[] records, Func<SortRecord, string> value, long[] ranks)
    {
        for (int i = 0; i < records.Length; i++)
        {
            if (!table.TryGetValue(value(records[i]), out int rank))
            {
                return false;
            }

            ranks[i] = rank;
        }

        return true;
    }
}
