using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// Orders search hits by a SORT program (RFC 5256 §3): key by key, REVERSE flipping one key,
/// and the sequence number deciding what all keys leave equal.
/// </summary>
internal static class MessageSorter
{
    public static List<(int Sequence, uint Uid)> Sort(SelectedMailbox selected, IReadOnlyList<(int Sequence, uint Uid)> hits,
        IReadOnlyList<SortCriterion> criteria, CancellationToken ct)
    {
        var needed = SortFields.None;
        bool needsInfo = false;
        foreach (var criterion in criteria)
        {
            needed |= criterion.Fields;
            needsInfo |= criterion.Key is SortKey.Arrival or SortKey.Size;
        }

        var records = SortRecordReader.Read(selected, hits, needed, ct);
        var arrival = new long[needsInfo ? hits.Count : 0];
        var size = new long[needsInfo ? hits.Count : 0];
        for (int i = 0; i < arrival.Length; i++)
        {
            if (selected.FindForFetch(hits[i].Uid) is { } info)
            {
                arrival[i] = info.InternalDate.UtcTicks;
                size[i] = info.Size;
            }
        }

        int Compare(int a, int b)
        {
            foreach (var criterion in criteria)
            {
                int c = criterion.Key switch
                {
                    SortKey.Arrival => arrival[a].CompareTo(arrival[b]),
                    SortKey.Size => size[a].CompareTo(size[b]),
                    SortKey.Date => records[a].SentTime.CompareTo(records[b].SentTime),
                    SortKey.Subject => string.CompareOrdinal(records[a].Subject, records[b].Subject),
                    SortKey.From => string.CompareOrdinal(records[a].From, records[b].From),
                    SortKey.To => string.CompareOrdinal(records[a].To, records[b].To),
                    SortKey.Cc => string.CompareOrdinal(records[a].Cc, records[b].Cc),
                    SortKey.DisplayFrom => string.CompareOrdinal(records[a].DisplayFrom, records[b].DisplayFrom),
                    _ => string.CompareOrdinal(records[a].DisplayTo, records[b].DisplayTo),
                };
                if (c != 0)
                {
                    return criterion.Reverse ? -c : c;
                }
            }

            return hits[a].Sequence.CompareTo(hits[b].Sequence);
        }

        var order = new int[hits.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, Compare);
        var sorted = new List<(int, uint)>(order.Length);
        foreach (int i in order)
        {
            sorted.Add(hits[i]);
        }

        return sorted;
    }
}
