namespace Imap4d.Config;

/// <summary>
/// One control of an `acl` block: the action, the network it applies to, and the action's
/// argument (the `log` text or the `exec`/`ifexec` command line, variables unexpanded).
/// </summary>
public sealed record AclEntry(AclAction Action, IpNetwork From, string? Argument = null);
