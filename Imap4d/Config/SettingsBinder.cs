namespace Imap4d.Config;

/// <summary>
/// Checks a configuration tree against <see cref="ConfigSchema"/> and turns it into
/// <see cref="ServerSettings"/>. Unknown statements and malformed values throw
/// <see cref="ConfigException"/>; statements the daemon does not implement yet are
/// type-checked, then ignored with a warning.
/// </summary>
public static class SettingsBinder
{
    public static ServerSettings Bind(ConfigTree tree, out IReadOnlyList<string> warnings)
    {
        var warningList = new List<string>();
        var builder = new SettingsBuilder(warningList);
        Walk(tree.Nodes, ConfigSchema.Root, "", builder, warningList);
        var settings = builder.Build();
        warnings = warningList;
        return settings;
    }

    /// <param name="builder">Null below a block that is not implemented: check only.</param>
    private static void Walk(IReadOnlyList<ConfigNode> nodes, ConfigSchemaEntry parent, string parentPath, SettingsBuilder? builder, List<string> warnings)
    {
        foreach (var node in nodes)
        {
            var entry = parent.Find(node.Name) ?? throw UnknownKeyword(node, parentPath);
            var path = parentPath.Length == 0 ? node.Name : parentPath + "." + node.Name;
            var target = builder;
            if (!entry.Implemented && builder is not null)
            {
                warnings.Add($"{node.Location}: warning: statement \"{path}\" is not implemented yet; ignored");
                target = null;
            }

            if (entry.IsBlock)
            {
                BindBlock(node, entry, path, target, warnings);
            }
            else
            {
                if (node.IsBlock)
                {
                    throw new ConfigException(node.Location, $"\"{path}\" is a simple statement, not a block");
                }

                var value = ConfigValueConverter.Convert(entry, node);
                target?.Apply(path, node, value);
            }
        }
    }

    private static void BindBlock(ConfigNode node, ConfigSchemaEntry entry, string path, SettingsBuilder? builder, List<string> warnings)
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
        Walk(node.Children!, entry, path, builder, warnings);
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
}
