namespace Imap4d.Config;

/// <summary>
/// A statement (`name values;`) or a block (`name labels { children }`) of a configuration file.
/// Included files are spliced in place, each node keeping the file and line it was read from.
/// </summary>
public sealed class ConfigNode
{
    public ConfigNode(string name, IReadOnlyList<ConfigValue> values, IReadOnlyList<ConfigNode>? children, SourceLocation location)
    {
        Name = name;
        Values = values;
        Children = children;
        Location = location;
    }

    public string Name { get; }

    /// <summary>The statement's values, or the block's labels.</summary>
    public IReadOnlyList<ConfigValue> Values { get; }

    /// <summary>The block's statements, or null for a simple statement.</summary>
    public IReadOnlyList<ConfigNode>? Children { get; }

    public bool IsBlock => Children is not null;

    public SourceLocation Location { get; }

    /// <summary>The block's first label when it is a string, e.g. `imap4d` in `program imap4d { }`.</summary>
    public string? Label => Values.Count > 0 ? Values[0].Text : null;

    public override string ToString() =>
        Name + string.Concat(Values.Select(v => " " + v)) + (IsBlock ? " { ... }" : ";");
}
