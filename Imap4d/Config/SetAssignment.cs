namespace Imap4d.Config;

/// <summary>
/// `--set PATH=VALUE`, as mailutils reads it. PATH names a statement through its enclosing
/// blocks: `.logging.syslog` or `logging.syslog`; an absolute path may start with another
/// punctuation character, which then separates the components (`/logging/syslog`). A block
/// with a label is written `name=label` (`.server=0.0.0.0:143.timeout`; quote a label that holds
/// the separator: `.namespace=personal.prefix="a.b".directory`). VALUE uses the file syntax,
/// so `(a, b)` is a list and quotes work.
/// </summary>
public static class SetAssignment
{
    public static ConfigNode Parse(string assignment, SourceLocation location)
    {
        var separator = '.';
        var position = 0;
        if (assignment.Length > 0 && char.IsPunctuation(assignment[0]) && assignment[0] is not ('"' or '_' or '-'))
        {
            separator = assignment[0];
            position = 1;
        }

        var path = new List<(string Name, string? Label)>();
        while (true)
        {
            var nameStart = position;
            while (position < assignment.Length && assignment[position] != separator && assignment[position] != '=')
            {
                position++;
            }

            var name = assignment[nameStart..position];
            if (name.Length == 0)
            {
                throw new ConfigException(location, $"malformed --set path in \"{assignment}\"");
            }

            if (position >= assignment.Length)
            {
                throw new ConfigException(location, $"--set needs PATH=VALUE, got \"{assignment}\"");
            }

            if (assignment[position] == separator)
            {
                path.Add((name, null));
                position++;
                continue;
            }

            // '=': either a block label followed by more path, or the statement's value.
            var rest = assignment[(position + 1)..];
            if (TryReadLabel(rest, separator, out var label, out var consumed))
            {
                path.Add((name, label));
                position += 1 + consumed + 1;
                continue;
            }

            var values = ConfigParser.ParseValues(rest, location);
            return Nest(path, new ConfigNode(name, values, null, location), location);
        }
    }

    /// <summary>A label is a quoted string or a run up to the separator, when more `NAME=` follows it.</summary>
    private static bool TryReadLabel(string rest, char separator, out string label, out int consumed)
    {
        label = "";
        consumed = 0;
        if (rest.StartsWith('"'))
        {
            var close = rest.IndexOf('"', 1);
            if (close > 0 && close + 1 < rest.Length && rest[close + 1] == separator)
            {
                label = rest[1..close];
                consumed = close + 1;
                return true;
            }

            return false;
        }

        var end = rest.IndexOf(separator);
        if (end < 0 || !rest[(end + 1)..].Contains('='))
        {
            return false;
        }

        // `.server=1.2.3.4:143.timeout=5`: the label runs to the last separator before the final statement.
        var statementStart = rest.LastIndexOf(separator, rest.IndexOf('=', end + 1));
        var labelText = rest[..statementStart];
        if (labelText.Contains('='))
        {
            labelText = rest[..end];
        }

        label = labelText;
        consumed = labelText.Length;
        return true;
    }

    private static ConfigNode Nest(List<(string Name, string? Label)> path, ConfigNode leaf, SourceLocation location)
    {
        var node = leaf;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var labels = path[i].Label is { } label ? new[] { ConfigValue.String(label, location) } : [];
            node = new ConfigNode(path[i].Name, labels, [node], location);
        }

        return node;
    }
}
