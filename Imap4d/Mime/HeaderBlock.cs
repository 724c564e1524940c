namespace Imap4d.Mime;

/// <summary>The parsed header of a message or a MIME part.</summary>
public sealed class HeaderBlock
{
    public static readonly HeaderBlock Empty = new([], false);

    public HeaderBlock(IReadOnlyList<HeaderField> fields, bool truncated)
    {
        Fields = fields;
        Truncated = truncated;
    }

    public IReadOnlyList<HeaderField> Fields { get; }

    /// <summary>True when the header was larger than the scanner keeps: some fields are missing.</summary>
    public bool Truncated { get; }

    /// <summary>The first field with this name (case-insensitive), or null.</summary>
    public HeaderField? Get(string name)
    {
        foreach (var f in Fields)
        {
            if (f.HasColon && f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>The unfolded value of the first field with this name, or null.</summary>
    public string? GetValue(string name) => Get(name)?.Value;

    public IEnumerable<HeaderField> GetAll(string name) =>
        Fields.Where(f => f.HasColon && f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
