using Imap4d.Commands.Sort;

namespace Imap4d.Commands.Thread;

/// <summary>
/// THREAD REFERENCES as RFC 5256 §3 describes it step by step (and REFS, which stops before the
/// subject step and orders threads by their newest message). Messages are the search hits in
/// sequence order: <paramref name="records"/> give their sent date, base subject, Message-ID
/// and references; <paramref name="sequences"/> their sequence numbers (the last tie-break).
/// </summary>
internal static class ReferencesThreader
{
    public static List<ThreadNode> Build(IReadOnlyList<SortRecord> records, IReadOnlyList<int> sequences, bool mergeSubjects)
    {
        var nodes = Link(records);
        var roots = nodes.Where(n => n.Parent is null).ToList();
        roots = Prune(roots);
        Date(ThreadNode.PreOrder(roots), records, sequences);
        SortRoots(roots);
        if (mergeSubjects)
        {
            roots = MergeBySubject(roots, records);
            Date(ThreadNode.PreOrder(roots), records, sequences);
            SortRoots(roots);
        }
        else
        {
            OrderByNewest(roots, records);
        }

        return roots;
    }

    /// <summary>
    /// Step 1: a container per Message-ID; each message's references linked parent to child
    /// where that makes no loop and the child has no parent yet; then the message under its
    /// last reference, replacing a parent an earlier message's references had guessed. A
    /// message without a (usable) Message-ID, or with one an earlier message had, is a
    /// container of its own.
    /// </summary>
    private static List<ThreadNode> Link(IReadOnlyList<SortRecord> records)
    {
        var byId = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        var all = new List<ThreadNode>(records.Count);
        ThreadNode ContainerOf(string id)
        {
            if (!byId.TryGetValue(id, out var node))
            {
                byId[id] = node = new ThreadNode();
                all.Add(node);
            }

            return node;
        }

        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i];
            ThreadNode message;
            if (record.MessageId is { } id && (!byId.TryGetValue(id, out var existing) || existing.IsDummy))
            {
                message = ContainerOf(id);
            }
            else
            {
                message = new ThreadNode();
                all.Add(message);
            }

            message.Message = i;
            ThreadNode? parent = null;
            foreach (string reference in record.References)
            {
                var container = ContainerOf(reference);
                if (parent is not null)
                {
                    LinkIfFree(parent, container);
                }

                parent = container;
            }

            if (message.Parent is not null && message.Parent != parent)
            {
                message.MoveTo(null);
            }

            if (parent is not null)
            {
                LinkIfFree(parent, message);
            }
        }

        return all;
    }

    private static void LinkIfFree(ThreadNode parent, ThreadNode child)
    {
        if (child.Parent is null && !parent.HasAncestor(child))
        {
            child.MoveTo(parent);
        }
    }

    /// <summary>
    /// Step 4: dummies without children go; a dummy's children take its place, except at the
    /// top where a dummy with several children stays (it holds a thread whose root is missing).
    /// </summary>
    private static List<ThreadNode> Prune(List<ThreadNode> roots)
    {
        var nodes = ThreadNode.PreOrder(roots);
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if (node.Children.Count > 0 && node.Children.Exists(c => c.IsDummy))
            {
                node.Children = Promote(node.Children, node, keepMany: false);
            }
        }

        return Promote(roots, null, keepMany: true);
    }

    private static List<ThreadNode> Promote(List<ThreadNode> level, ThreadNode? parent, bool keepMany)
    {
        var result = new List<ThreadNode>(level.Count);
        foreach (var node in level)
        {
            if (!node.IsDummy || (keepMany && node.Children.Count > 1))
            {
                result.Add(node);
                continue;
            }

            foreach (var child in node.Children)
            {
                child.Parent = parent;
                result.Add(child);
            }
        }

        return result;
    }

    /// <summary>Steps 5 and 7: siblings by sent date, the deepest first; a dummy sorts as its first child.</summary>
    private static void Date(List<ThreadNode> preOrder, IReadOnlyList<SortRecord> records, IReadOnlyList<int> sequences)
    {
        for (int i = preOrder.Count - 1; i >= 0; i--)
        {
            var node = preOrder[i];
            if (node.Children.Count > 1)
            {
                node.Children.Sort(ThreadNode.CompareByDate);
            }

            if (!node.IsDummy)
            {
                node.SortTime = records[node.Message].SentTime;
                node.SortSequence = sequences[node.Message];
            }
            else if (node.Children.Count > 0)
            {
                node.SortTime = node.Children[0].SortTime;
                node.SortSequence = node.Children[0].SortSequence;
            }
        }
    }

    private static void SortRoots(List<ThreadNode> roots) => roots.Sort(ThreadNode.CompareByDate);

    /// <summary>
    /// Step 6: threads whose subjects (a dummy's: its first child's) have the same base subject
    /// are gathered: under the dummy one of them has, under a thread that is not a reply when
    /// this one is, or else both under a new dummy.
    /// </summary>
    private static List<ThreadNode> MergeBySubject(List<ThreadNode> roots, IReadOnlyList<SortRecord> records)
    {
        SortRecord SubjectOf(ThreadNode node) => records[node.IsDummy ? node.Children[0].Message : node.Message];

        // (B) one thread per subject: a dummy wins, then one that is not a reply.
        var table = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var record = SubjectOf(root);
            if (record.Subject.Length == 0)
            {
                continue;
            }

            if (!table.TryGetValue(record.Subject, out var held))
            {
                table[record.Subject] = root;
            }
            else if (!held.IsDummy && (root.IsDummy || (records[held.Message].ReplyOrForward && !record.ReplyOrForward)))
            {
                table[record.Subject] = root;
            }
        }

        // (C) merge the others into it.
        var result = new List<ThreadNode>(roots.Count);
        var replaced = new Dictionary<ThreadNode, ThreadNode>();
        var removed = new HashSet<ThreadNode>();
        foreach (var root in roots)
        {
            if (root.Parent is not null)
            {
                continue; // the thread in the table, already put under a new dummy
            }

            var record = SubjectOf(root);
            if (record.Subject.Length == 0 || table[record.Subject] is var held && held == root)
            {
                continue;
            }

            if (root.IsDummy && held.IsDummy)
            {
                foreach (var child in root.Children)
                {
                    child.Parent = held;
                    held.Children.Add(child);
                }

                root.Children = [];
                removed.Add(root);
            }
            else if (held.IsDummy || (record.ReplyOrForward && !records[held.Message].ReplyOrForward))
            {
                root.MoveTo(held);
                removed.Add(root);
            }
            else
            {
                var dummy = new ThreadNode();
                held.MoveTo(dummy);
                root.MoveTo(dummy);
                replaced[held] = dummy;
                removed.Add(root);
                table[record.Subject] = dummy;
            }
        }

        foreach (var root in roots)
        {
            if (removed.Contains(root))
            {
                continue;
            }

            var top = root;
            while (replaced.TryGetValue(top, out var dummy))
            {
                top = dummy;
            }

            result.Add(top);
        }

        return result;
    }

    /// <summary>REFS: threads ordered by their newest message (then as REFERENCES orders them).</summary>
    private static void OrderByNewest(List<ThreadNode> roots, IReadOnlyList<SortRecord> records)
    {
        var newest = new Dictionary<ThreadNode, long>();
        foreach (var root in roots)
        {
            long max = long.MinValue;
            foreach (var node in ThreadNode.PreOrder([root]))
            {
                if (!node.IsDummy)
                {
                    max = Math.Max(max, records[node.Message].SentTime);
                }
            }

            newest[root] = max;
        }

        roots.Sort((a, b) =>
        {
            int c = newest[a].CompareTo(newest[b]);
            return c != 0 ? c : ThreadNode.CompareByDate(a, b);
        });
    }
}
