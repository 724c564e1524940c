namespace Imap4d.Config;

/// <summary>
/// One statement or block the configuration accepts: its value type, the argument name and
/// description shown by `--config-help`, and whether the daemon implements it yet.
/// </summary>
public sealed record ConfigSchemaEntry
{
    public required string Name { get; init; }

    public required ConfigValueType Type { get; init; }

    /// <summary>Shown in `--config-help` as `name &lt;arg: type&gt;`; for blocks, the label.</summary>
    public string? Argument { get; init; }

    public required string Description { get; init; }

    /// <summary>False: accepted and type-checked, but ignored with a warning.</summary>
    public bool Implemented { get; init; }

    /// <summary>For <see cref="ConfigValueType.Keyword"/> statements and labelled blocks: the allowed words.</summary>
    public IReadOnlyList<string>? Keywords { get; init; }

    /// <summary>Blocks only: how the label is checked (<see cref="ConfigValueType.Any"/> when optional and free).</summary>
    public ConfigValueType? LabelType { get; init; }

    /// <summary>Blocks only: the statements allowed inside.</summary>
    public IReadOnlyList<ConfigSchemaEntry> Children { get; init; } = [];

    /// <summary>Blocks only: contents are not checked (modules this daemon does not have, e.g. `sql`).</summary>
    public bool FreeForm { get; init; }

    /// <summary>
    /// Blocks only: the value type of the simple statement also accepted under the block's name
    /// (`tcp-wrappers yes;` of older mailutils beside GNU 3.15's `tcp-wrappers { enable yes; }`), or null.
    /// </summary>
    public ConfigValueType? SimpleType { get; init; }

    public bool IsBlock => Type == ConfigValueType.Block;

    public ConfigSchemaEntry? Find(string name) => Children.FirstOrDefault(c => c.Name == name);
}
