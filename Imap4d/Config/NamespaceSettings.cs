namespace Imap4d.Config;

/// <summary>The three RFC 2342 namespace kinds.</summary>
public enum NamespaceKind
{
    Personal,
    Other,
    Shared,
}

/// <summary>
/// One namespace prefix: `namespace KIND { prefix "P" { directory D; delimiter C; mailbox-type T; } }`.
/// The directory keeps its `$user`/`$home` variables; they are expanded per user at login.
/// </summary>
public sealed record NamespacePrefix(
    NamespaceKind Kind,
    string Prefix,
    char Delimiter,
    string Directory,
    string? MailboxType,
    int? MailboxMode);

/// <summary>All configured namespace prefixes, grouped by kind in configuration order.</summary>
public sealed record NamespaceSettings(
    IReadOnlyList<NamespacePrefix> Personal,
    IReadOnlyList<NamespacePrefix> Other,
    IReadOnlyList<NamespacePrefix> Shared)
{
    /// <summary>GNU imap4d's built-in default: personal "" in $home with "/", other "~" in /home/$user.</summary>
    public static NamespaceSettings Default { get; } = new(
        [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home", null, null)],
        [new NamespacePrefix(NamespaceKind.Other, "~", '/', "/home/$user", null, null)],
        []);
}
