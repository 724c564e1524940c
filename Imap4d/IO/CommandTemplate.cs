using System.Text;

namespace Imap4d.IO;

/// <summary>
/// A configured command line: split into words as a shell would (blanks, '…', "…", backslash),
/// then `$name` and `${name}` expanded in each word. Expanding after splitting means a value
/// never becomes more than one argument, and no shell ever sees it. Unknown variables expand
/// to nothing, as mailutils' wordsplit does with its variable callback.
/// </summary>
public static class CommandTemplate
{
    /// <summary>The words of <paramref name="template"/> with variables expanded; throws <see cref="FormatException"/> on an unclosed quote.</summary>
    public static IReadOnlyList<string> Expand(string template, Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(variable);
        return Split(template).Select(word => ExpandVariables(word.Text, word.Literal, variable)).ToList();
    }

    /// <summary>The words of <paramref name="template"/>, split and unquoted as <see cref="Expand"/> does, with nothing expanded.</summary>
    public static IReadOnlyList<string> Words(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Split(template).Select(word => word.Text).ToList();
    }

    /// <summary>One string with `$name`/`${name}` expanded (for `log` texts).</summary>
    public static string ExpandText(string text, Func<string, string?> variable) =>
        ExpandVariables(text, new bool[text.Length], variable);

    /// <summary>Words, each with a mask of the characters that came from single quotes or escapes (not expanded).</summary>
    private static List<(string Text, bool[] Literal)> Split(string line)
    {
        var words = new List<(string, bool[])>();
        var word = new StringBuilder();
        var literal = new List<bool>();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsWhiteSpace(c))
            {
                Flush();
                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                int end = line.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new FormatException("unclosed ' in command line");
                }

                Add(line[(i + 1)..end], true);
                i = end;
            }
            else if (c == '"')
            {
                i++;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$')
                    {
                        i++;
                        Add(line[i].ToString(), true);
                    }
                    else
                    {
                        Add(line[i].ToString(), false);
                    }

                    i++;
                }

                if (i >= line.Length)
                {
                    throw new FormatException("unclosed \" in command line");
                }
            }
            else if (c == '\\' && i + 1 < line.Length)
            {
                i++;
                Add(line[i].ToString(), true);
            }
            else
            {
                Add(c.ToString(), false);
            }
        }

        Flush();
        return words;

        void Add(string text, bool isLiteral)
        {
            word.Append(text);
            literal.AddRange(Enumerable.Repeat(isLiteral, text.Length));
        }

        void Flush()
        {
            if (inWord)
            {
                words.Add((word.ToString(), literal.ToArray()));
            }

            word.Clear();
            literal.Clear();
            inWord = false;
        }
    }

    private static string ExpandVariables(string text, bool[] literal, Func<string, string?> variable)
    {
        var result = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || literal[i] || i + 1 >= text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            int start;
            int end;
            int next;
            if (text[i + 1] == '{')
            {
                start = i + 2;
                end = text.IndexOf('}', start);
                if (end < 0)
                {
                    result.Append(text[i]);
                    continue;
                }

                next = end + 1;
            }
            else
            {
                start = i + 1;
                end = start;
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    end++;
                }

                next = end;
            }

            if (end == start)
            {
                result.Append(text[i]);
                continue;
            }

            result.Append(variable(text[start..end]) ?? "");
            i = next - 1;
        }

        return result.ToString();
    }
}
