namespace Imap4d.Config;

/// <summary>Which configuration sources to read; mirrors the mailutils command-line options.</summary>
public sealed record ConfigSourceOptions
{
    /// <summary>The site-wide file, shared by all mailutils programs.</summary>
    public string SiteConfigFile { get; init; } = "/etc/mailutils.conf";

    /// <summary>The per-program file, read when it exists.</summary>
    public string ProgramConfigFile { get; init; } = "/etc/mailutils.d/" + ConfigLoader.ProgramName;

    /// <summary>`--config-file FILE`: read only this file.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>`--no-config`: read no file at all (`--set` still applies).</summary>
    public bool NoConfig { get; init; }

    /// <summary>`--no-site-config`: skip the site-wide file.</summary>
    public bool NoSiteConfig { get; init; }

    /// <summary>`--set PATH=VALUE` assignments, applied after all files, in order.</summary>
    public IReadOnlyList<string> Assignments { get; init; } = [];

    /// <summary>`--config-verbose`: where to report each file read (normally stderr), or null.</summary>
    public TextWriter? Verbose { get; init; }

    /// <summary>Selects `program NAME { }` sections and directory includes.</summary>
    public string ProgramName { get; init; } = ConfigLoader.ProgramName;
}
