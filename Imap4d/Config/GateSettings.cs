namespace Imap4d.Config;

/// <summary>
/// What is checked on a new connection before the greeting: the PROXY protocol header
/// (`proxy-protocol`, `proxy-trusted`) and the access control lists (`acl`).
/// </summary>
public sealed record GateSettings
{
    /// <summary>The global `acl` block.</summary>
    public AccessControlList Acl { get; init; } = AccessControlList.Empty;

    /// <summary>The `acl` block of the connection's `server` block, checked before the global one.</summary>
    public AccessControlList ServerAcl { get; init; } = AccessControlList.Empty;

    /// <summary>`proxy-protocol`: every connection starts with a PROXY protocol (v1 or v2) header.</summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>`proxy-trusted`: the peers allowed to send that header; others are refused.</summary>
    public IReadOnlyList<IpNetwork> ProxyTrusted { get; init; } = [];

    /// <summary>Time allowed for the whole PROXY header to arrive.</summary>
    public TimeSpan ProxyHeaderTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
