namespace Imap4d.Config;

/// <summary>
/// Checks a configuration tree against <see cref="ConfigSchema"/> and turns it into
/// <see cref="ServerSettings"/>. Unknown statements and malformed values throw
/// <see cref="ConfigException"/>; statements the daemon does not implement yet are
/// type-checked, then ignored with a note; unknown blocks are ignored with a note, as GNU
/// imap4d ignores them (they belong to other mailutils programs sharing the file).
/// </summary>
public static class SettingsBinder
{
    /// <summary>Binds; <paramref name="warnings"/> gets the warnings and the notes together (what `--config-lint` prints).</summary>
    public static ServerSettings Bind(ConfigTree tree, out IReadOnlyList<string> warnings)
    {
        var settings = Bind(tree, out var realWarnings, out var notes);
        warnings = realWarnings.Concat(notes).OrderBy(w => w, WarningOrder.Instance).ToList();
        return settings;
    }

    /// <param name="warnings">Problems the administrator should see whenever the daemon starts.</param>
    /// <param name="notes">
    /// What is accepted for GNU compatibility and ignored (statements not implemented, unknown
    /// blocks): shown by `--config-lint` and logged at debug level, never on a session's stderr.
    /// </param>
    public static ServerSettings Bind(ConfigTree tree, out IReadOnlyList<string> warnings, out IReadOnlyList<string> notes)
    {
        var warningList = new List<string>();
        var noteList = new List<string>();
        var builder = new SettingsBuilder(warningList);
        Walk(tree.Nodes, ConfigSchema.Root, "", builder, noteList);
        var settings = builder.Build();
        warnings = warningList;
        notes = noteList;
        return settings;
    }

    /// <param name="builder">Null below a block that is not implemented: check only.</param>
    private static void Walk(IReadOnlyList<ConfigNode> nodes, ConfigSchemaEntry parent, string parentPath, SettingsBuilder? builder, List<string> notes)
    {
        foreach (var node in nodes)
        {
            var path = parentPath.Length == 0 ? node.Name : parentPath + "." + node.Name;
            if (path == "program" && node.IsBlock)
            {
                // Left in place only by a --config-file file: GNU says so (on stderr) and ignores it.
                notes.Add($"{node.Location}: warning: ignoring `program' block: not located in top-level configuration file");
                continue;
            }

            var entry = parent.Find(node.Name);
            if (entry is null)
            {
                if (!node.IsBlock)
                {
                    throw UnknownKeyword(node, parentPath);
                }

                notes.Add($"{node.Location}: warning: unknown block \"{path}\" ignored");
                continue;
            }

            var target = builder;
            if (!entry.Implemented && builder is not null)
            {
                notes.Add($"{node.Location}: warning: statement \"{path}\" is not implemented yet; ignored");
                target = null;
            }

            if (entry.IsBlock && (node.IsBlock || entry.SimpleType is null))
            {
                BindBlock(node, entry, path, target, notes);
            }
            else
            {
                if (node.IsBlock)
                {
                    throw new ConfigException(node.Location, $"\"{path}\" is a simple statement, not a block");
                }

                var statement = entry.SimpleType is { } simpleType ? entry with { Type = simpleType, Children = [] } : entry;
                var value = ConfigValueConverter.Convert(statement, node);
                target?.Apply(path, node, value);
            }
        }
    }

    private static void BindBlock(ConfigNode node, ConfigSchemaEntry entry, string path, SettingsBuilder? builder, List<string> notes)
    {
        if (!node.IsBlock)
        {
            throw new ConfigException(node.Location, $"\"{path}\" is a block statement: use {node.Name} {(entry.Argument is null ? "" : "LABEL ")}{{ ... }}");
        }

        var label = CheckLabel(node, entry, path);
        if (entry.FreeForm)
        {
            return;
        }

        builder?.BeginBlock(path, node, label);
        Walk(node.Children!, entry, path, builder, notes);
        builder?.EndBlock(path);
    }

    private static object? CheckLabel(ConfigNode node, ConfigSchemaEntry entry, string path)
    {
        if (entry.LabelType is not { } labelType)
        {
            return node.Values.Count == 0 || entry.FreeForm
                ? null
                : throw new ConfigException(node.Location, $"block \"{path}\" takes no label");
        }

        if (node.Values is not [{ Text: { } label }])
        {
            throw new ConfigException(node.Location, $"block \"{path}\" needs one label: {entry.Argument}");
        }

        return labelType switch
        {
            ConfigValueType.HostPort => ConfigValueConverter.HostPort(node, label),
            ConfigValueType.Keyword when !entry.Keywords!.Contains(label) =>
                throw new ConfigException(node.Location, $"unknown {node.Name} \"{label}\"; expected {entry.Argument}"),
            _ => label,
        };
    }

    private static ConfigException UnknownKeyword(ConfigNode node, string parentPath)
    {
        var message = $"unknown keyword \"{node.Name}\"";
        if (parentPath.Length > 0)
        {
            message += $" in block \"{parentPath}\"";
        }
        else if (ConfigSchema.RemovedStatements.TryGetValue(node.Name, out var replacement))
        {
            message += $" (removed in mailutils 3.5: {replacement})";
        }

        return new ConfigException(node.Location, message);
    }

    /// <summary>Orders "FILE:LINE: ..." messages by file, then line number, so lint output reads top to bottom.</summary>
    private sealed class WarningOrder : IComparer<string>
    {
        public static readonly WarningOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var (fileX, lineX) = Split(x!);
            var (fileY, lineY) = Split(y!);
            var byFile = string.CompareOrdinal(fileX, fileY);
            return byFile != 0 ? byFile : lineX.CompareTo(lineY);
        }

        private static (string File, int Line) Split(string message)
        {
            var parts = message.Split(':', 3);
            return parts.Length >= 2 && int.TryParse(parts[1], out var line) ? (parts[0], line) : (message, 0);
        }
    }
}
