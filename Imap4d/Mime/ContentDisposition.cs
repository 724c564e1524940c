namespace Imap4d.Mime;

/// <summary>A parsed Content-Disposition: the disposition type as spelled, and parameters.</summary>
public sealed record ContentDisposition(string Type, IReadOnlyList<MimeParameter> Parameters)
{
    public string? GetParameter(string name) => HeaderParser.FindParameter(Parameters, name);
}
