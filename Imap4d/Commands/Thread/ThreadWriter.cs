using System.Globalization;
using System.Text;

namespace Imap4d.Commands.Thread;

/// <summary>
/// Writes threads in the grammar of RFC 5256 §4: <c>(1 2 (3)(4 5))</c>: a message followed by
/// its only child continues the list, several children are each a parenthesised list, and a
/// dummy at the top writes only its children. Iterative, so a chain of any depth is fine.
/// </summary>
internal static class ThreadWriter
{
    public static string Write(IReadOnlyList<ThreadNode> roots, Func<int, uint> number)
    {
        var text = new StringBuilder();
        var stack = new Stack<object>();
        foreach (var root in roots)
        {
            stack.Push(')');
            stack.Push(root);
            text.Append('(');
            while (stack.Count > 0)
            {
                object item = stack.Pop();
                if (item is char c)
                {
                    text.Append(c);
                    continue;
                }

                var node = (ThreadNode)item;
                var children = node.Children;
                if (node.IsDummy && children.Count == 1)
                {
                    stack.Push(children[0]);
                    continue;
                }

                if (!node.IsDummy)
                {
                    text.Append(number(node.Message).ToString(CultureInfo.InvariantCulture));
                    if (children.Count == 0)
                    {
                        continue;
                    }

                    text.Append(' ');
                    if (children.Count == 1)
                    {
                        stack.Push(children[0]);
                        continue;
                    }
                }

                for (int i = children.Count - 1; i >= 0; i--)
                {
                    stack.Push(')');
                    stack.Push(children[i]);
                    stack.Push('(');
                }
            }
        }

        return text.ToString();
    }
}
