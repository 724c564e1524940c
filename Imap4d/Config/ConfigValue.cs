namespace Imap4d.Config;

/// <summary>
/// One value of a statement or block label: a string (quoted, unquoted or a here-document)
/// or a parenthesized list of values.
/// </summary>
public sealed class ConfigValue
{
    private ConfigValue(string? text, IReadOnlyList<ConfigValue>? items, SourceLocation location)
    {
        Text = text;
        Items = items;
        Location = location;
    }

    /// <summary>The string, or null for a list.</summary>
    public string? Text { get; }

    /// <summary>The list items, or null for a string.</summary>
    public IReadOnlyList<ConfigValue>? Items { get; }

    public SourceLocation Location { get; }

    public bool IsList => Items is not null;

    public static ConfigValue String(string text, SourceLocation location) => new(text, null, location);

    public static ConfigValue List(IReadOnlyList<ConfigValue> items, SourceLocation location) => new(null, items, location);

    /// <summary>Config syntax for the value: lists in parentheses, strings quoted when needed.</summary>
    public override string ToString() =>
        Items is { } items ? "(" + string.Join(", ", items) + ")" : ConfigSyntax.Quote(Text!);
}
