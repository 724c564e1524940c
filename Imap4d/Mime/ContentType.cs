namespace Imap4d.Mime;

/// <summary>A parsed Content-Type: type and subtype as spelled in the message, and parameters.</summary>
public sealed record ContentType(string Type, string Subtype, IReadOnlyList<MimeParameter> Parameters)
{
    public bool Is(string type, string subtype) =>
        Type.Equals(type, StringComparison.OrdinalIgnoreCase) && Subtype.Equals(subtype, StringComparison.OrdinalIgnoreCase);

    public bool IsType(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);

    /// <summary>The raw value of the first parameter with this name (case-insensitive), or null.</summary>
    public string? GetParameter(string name) => HeaderParser.FindParameter(Parameters, name);
}
