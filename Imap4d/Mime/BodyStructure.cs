namespace Imap4d.Mime;

/// <summary>
/// The RFC 3501 body structure of a part, with extension data. Strings are raw (one char per
/// byte). A multipart has <see cref="Parts"/>; a message/rfc822 part has <see cref="Envelope"/>
/// and <see cref="Body"/>; text/* and message/rfc822 have <see cref="Lines"/>.
/// </summary>
public sealed record BodyStructure
{
    public required string Type { get; init; }

    public required string Subtype { get; init; }

    public IReadOnlyList<MimeParameter> Parameters { get; init; } = [];

    public string? Id { get; init; }

    public string? Description { get; init; }

    public string Encoding { get; init; } = "7bit";

    public long Size { get; init; }

    public long? Lines { get; init; }

    public Envelope? Envelope { get; init; }

    public BodyStructure? Body { get; init; }

    public IReadOnlyList<BodyStructure> Parts { get; init; } = [];

    public string? Md5 { get; init; }

    public ContentDisposition? Disposition { get; init; }

    public IReadOnlyList<string> Language { get; init; } = [];

    public string? Location { get; init; }

    public bool IsMultipart { get; init; }

    public bool IsMessage => Envelope is not null && Body is not null;

    public bool IsText => Type.Equals("text", StringComparison.OrdinalIgnoreCase);
}
