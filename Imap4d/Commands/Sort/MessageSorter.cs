using System.Runtime.CompilerServices;
using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// Orders search hits by a SORT program (RFC 5256 §3): key by key, REVERSE flipping one key,
/// and the sequence number deciding what all keys leave equal. Every key becomes a number per
/// message first (strings through <see cref="SortRanks"/>), so sorting compares numbers only.
/// The last result is kept per selection: the same program over the same messages (a webmail
/// listing the mailbox again) is answered from it, as every key of a message is fixed by its UID.
/// </summary>
internal static class MessageSorter
{
    private static readonly ConditionalWeakTable<SelectedMailbox, LastSort> Last = new();

    public static List<(int Sequence, uint Uid)> Sort(SelectedMailbox selected, IReadOnlyList<(int Sequence, uint Uid)> hits,
        IReadOnlyList<SortCriterion> criteria, Collation collation, CancellationToken ct)
    {
        string program = collation.Name + " " + string.Join(' ', criteria.Select(c => (c.Reverse ? "REVERSE " : "") + c.Key));
        if (Last.TryGetValue(selected, out var last) && last.Answers(program, hits))
        {
            return [.. last.Result];
        }

        var result = SortAnew(selected, hits, criteria, collation, ct);
        Last.AddOrUpdate(selected, new LastSort(program, [.. hits], result.ToArray()));
        return result;
    }

    private static List<(int Sequence, uint Uid)> SortAnew(SelectedMailbox selected, IReadOnlyList<(int Sequence, uint Uid)> hits,
        IReadOnlyList<SortCriterion> criteria, Collation collation, CancellationToken ct)
    {
        var needed = SortFields.None;
        foreach (var criterion in criteria)
        {
            needed |= criterion.Fields;
        }

        var records = SortRecordReader.Read(selected, hits, needed, collation, ct);
        var keys = new long[criteria.Count][];
        for (int c = 0; c < criteria.Count; c++)
        {
            var key = KeysOf(selected, hits, records, criteria[c].Key);
            if (criteria[c].Reverse)
            {
                for (int i = 0; i < key.Length; i++)
                {
                    key[i] = -key[i];
                }
            }

            keys[c] = key;
        }

        var entries = new Entry[hits.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new Entry(keys[0][i], keys.Length > 1 ? keys[1][i] : 0, hits[i].Sequence, i);
        }

        if (keys.Length <= 2)
        {
            Array.Sort(entries);
        }
        else
        {
            Array.Sort(entries, (a, b) =>
            {
                foreach (var key in keys)
                {
                    int c = key[a.Index].CompareTo(key[b.Index]);
                    if (c != 0)
                    {
                        return c;
                    }
                }

                return a.Sequence.CompareTo(b.Sequence);
            });
        }

        var sorted = new List<(int, uint)>(entries.Length);
        foreach (var entry in entries)
        {
            sorted.Add(hits[entry.Index]);
        }

        return sorted;
    }

    private static long[] KeysOf(SelectedMailbox selected, IReadOnlyList<(int Sequence, uint Uid)> hits, SortRecord[] records, SortKey key)
    {
        switch (key)
        {
            case SortKey.Arrival or SortKey.Size:
                var values = new long[hits.Count];
                for (int i = 0; i < values.Length; i++)
                {
                    if (selected.FindForFetch(hits[i].Uid) is { } info)
                    {
                        values[i] = key == SortKey.Arrival ? info.InternalDate.UtcTicks : info.Size;
                    }
                }

                return values;
            case SortKey.Date:
                return records.Select(r => r.SentTime).ToArray();
            case SortKey.Subject:
                return SortRanks.Of(selected, key, records, r => r.Subject);
            case SortKey.From:
                return SortRanks.Of(selected, key, records, r => r.From);
            case SortKey.To:
                return SortRanks.Of(selected, key, records, r => r.To);
            case SortKey.Cc:
                return SortRanks.Of(selected, key, records, r => r.Cc);
            case SortKey.DisplayFrom:
                return SortRanks.Of(selected, key, records, r => r.DisplayFrom);
            default:
                return SortRanks.Of(selected, key, records, r => r.DisplayTo);
        }
    }

    /// <summary>The first two keys, the sequence number, and where the message is among the hits.</summary>
    private readonly record struct Entry(long Key1, long Key2, int Sequence, int Index) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            int c = Key1.CompareTo(other.Key1);
            if (c == 0)
            {
                c = Key2.CompareTo(other.Key2);
            }

            return c != 0 ? c : Sequence.CompareTo(other.Sequence);
        }
    }

    /// <summary>A SORT program, the messages it ordered (sequence numbers included) and their order.</summary>
    private sealed record LastSort(string Program, (int Sequence, uint Uid)[] Hits, (int Sequence, uint Uid)[] Result)
    {
        public bool Answers(string program, IReadOnlyList<(int Sequence, uint Uid)> hits)
        {
            if (program != Program || hits.Count != Hits.Length)
            {
                return false;
            }

            for (int i = 0; i < Hits.Length; i++)
            {
                if (hits[i] != Hits[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
