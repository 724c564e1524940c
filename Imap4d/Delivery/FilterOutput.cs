using Imap4d.Storage;

namespace Imap4d.Delivery;

/// <summary>
/// Reads a filter's standard output: the first line names the folder (empty: the default), every
/// further line holds flags (\Seen, \Answered, \Flagged, \Deleted, \Draft) or keywords (IMAP
/// atoms), separated by blanks. Anything else is garbage, and the whole output is then ignored:
/// half-understood instructions are worse than none.
/// </summary>
public static class FilterOutput
{
    private const int MaxFolderLength = 1000;

    /// <summary>The verdict, or null with <paramref name="problem"/> saying what is wrong.</summary>
    public static FilterVerdict? Parse(string text, out string? problem)
    {
        problem = null;
        if (text.Contains('\uFFFD', StringComparison.Ordinal))
        {
            problem = "the output is not UTF-8";
            return null;
        }

        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        string folder = lines[0].Trim();
        if (folder.Length > MaxFolderLength || folder.Any(char.IsControl))
        {
            problem = "the first line is no folder name";
            return null;
        }

        var system = MessageFlags.None;
        var keywords = new List<string>();
        foreach (string word in lines.Skip(1).SelectMany(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))
        {
            if (word.StartsWith('\\'))
            {
                var flag = FlagSet.SystemFlagOf(word);
                if (flag == MessageFlags.None)
                {
                    problem = $"\"{Printable(word)}\" is no flag";
                    return null;
                }

                system |= flag;
            }
            else if (IsKeyword(word))
            {
                keywords.Add(word);
            }
            else
            {
                problem = $"\"{Printable(word)}\" is no keyword";
                return null;
            }
        }

        return new FilterVerdict(folder.Length == 0 ? null : folder, FlagSet.Of(system, [.. keywords]));
    }

    /// <summary>An IMAP atom (RFC 3501 flag-keyword) of reasonable length.</summary>
    private static bool IsKeyword(string word) =>
        word.Length <= 100 && word.All(c => c > ' ' && c < 0x7f && c is not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']'));

    private static string Printable(string word) =>
        new(word.Take(40).Select(c => c < ' ' || c == 0x7f ? '?' : c).ToArray());
}
