namespace Imap4d.Config;

/// <summary>The `login-names` block (imap4d.NET extension): how a login name becomes an account name.</summary>
public sealed record LoginNameSettings
{
    /// <summary>`strip-domain`: domains whose "@domain" suffix is removed; "*" strips any domain.</summary>
    public IReadOnlyList<string> StripDomains { get; init; } = [];

    /// <summary>`lower-case`: lower-case login names before anything else.</summary>
    public bool LowerCase { get; init; }

    /// <summary>`map-file`: a file of "login-name account" lines; null for none.</summary>
    public string? MapFile { get; init; }
}
