namespace Imap4d.Commands.Thread;

/// <summary>
/// A container of RFC 5256's REFERENCES algorithm (JWZ's "Container"): a message, or a dummy
/// standing for a Message-ID that only other messages name.
/// </summary>
internal sealed class ThreadNode
{
    public const int Dummy = -1;

    /// <summary>The index of the message among the search hits, or <see cref="Dummy"/>.</summary>
    public int Message { get; set; } = Dummy;

    public ThreadNode? Parent { get; set; }

    public List<ThreadNode> Children { get; set; } = [];

    public bool IsDummy => Message == Dummy;

    /// <summary>What siblings are ordered by: the sent date, then the sequence number (a dummy: its first child's).</summary>
    public long SortTime { get; set; }

    public int SortSequence { get; set; }

    /// <summary>True when <paramref name="node"/> is this node or one of its ancestors.</summary>
    public bool HasAncestor(ThreadNode node)
    {
        for (var n = this; n is not null; n = n.Parent)
        {
            if (n == node)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Makes this node a child of <paramref name="parent"/> (detaching it from any other parent).</summary>
    public void MoveTo(ThreadNode? parent)
    {
        Parent?.Children.Remove(this);
        Parent = parent;
        parent?.Children.Add(this);
    }

    public static int CompareByDate(ThreadNode a, ThreadNode b)
    {
        int c = a.SortTime.CompareTo(b.SortTime);
        return c != 0 ? c : a.SortSequence.CompareTo(b.SortSequence);
    }

    /// <summary>This node and every node below it, parents before children (iterative: threads may be very deep).</summary>
    public static List<ThreadNode> PreOrder(IEnumerable<ThreadNode> roots)
    {
        var result = new List<ThreadNode>();
        var stack = new Stack<ThreadNode>(roots.Reverse());
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            result.Add(node);
            for (int i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }

        return result;
    }
}
