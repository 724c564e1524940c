using Imap4d.Commands.Sort;

namespace Imap4d.Commands.Thread;

/// <summary>
/// THREAD ORDEREDSUBJECT (RFC 5256 §3): the messages sorted by base subject and sent date;
/// each run of one subject is a thread whose first message is the parent of all the others;
/// threads in the order of their first messages' sent dates.
/// </summary>
internal static class OrderedSubjectThreader
{
    public static List<ThreadNode> Build(IReadOnlyList<SortRecord> records, IReadOnlyList<int> sequences)
    {
        var order = Enumerable.Range(0, records.Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = string.CompareOrdinal(records[a].Subject, records[b].Subject);
            if (c == 0)
            {
                c = records[a].SentTime.CompareTo(records[b].SentTime);
            }

            return c != 0 ? c : sequences[a].CompareTo(sequences[b]);
        });

        var roots = new List<ThreadNode>();
        ThreadNode? current = null;
        foreach (int i in order)
        {
            var node = new ThreadNode { Message = i, SortTime = records[i].SentTime, SortSequence = sequences[i] };
            if (current is not null && records[current.Message].Subject == records[i].Subject)
            {
                node.MoveTo(current);
            }
            else
            {
                current = node;
                roots.Add(node);
            }
        }

        roots.Sort(ThreadNode.CompareByDate);
        return roots;
    }
}
