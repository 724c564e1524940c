namespace Imap4d.Config;

/// <summary>The `preauth`, `preauth-only`, `ident-keyfile` and `ident-encrypt-only` statements.</summary>
public sealed record PreauthSettings
{
    public PreauthMode Mode { get; init; }

    /// <summary>`ident://:PORT`: where the client's ident server listens (113, the `auth` service).</summary>
    public int IdentPort { get; init; } = 113;

    /// <summary>`prog://`: the command line, with ${client_address}, ${client_port}, ${server_address}, ${server_port}.</summary>
    public string? Program { get; init; }

    /// <summary>`preauth-only`: a connection that cannot be preauthenticated is closed with BYE.</summary>
    public bool Only { get; init; }

    /// <summary>`ident-keyfile`: pidentd's DES keys (1024 bytes each) for encrypted ident replies.</summary>
    public string? IdentKeyFile { get; init; }

    /// <summary>`ident-encrypt-only`: ignore plain-text ident replies.</summary>
    public bool IdentEncryptOnly { get; init; }

    /// <summary>How long the ident query or the program may take (imap4d.NET: not configurable).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
