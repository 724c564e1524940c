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
/// MailboxMode is the full file mode for new mailboxes (e.g. 0660 for `mailbox-mode g+rw`), or null for 0600.
/// </summary>
public sealed record NamespacePrefix(
    NamespaceKind Kind,
    string Prefix,
    char Delimiter,
    string Directory,
    string? MailboxType,
    int? MailboxMode)
{
    /// <summary>`layout maildir++`: maildir folders as ROOT/.A.B (Courier, Dovecot) instead of a directory tree.</summary>
    public bool MaildirPlusPlus { get; init; }
}

/// <summary>All configured namespace prefixes, grouped by kind in configuration order.</summary>
public sealed record NamespaceSettings(
    IReadOnlyList<NamespacePrefix> Personal,
    IReadOnlyList<NamespacePrefix> Other,
    IReadOnlyList<NamespacePrefix> Shared)
{
    /// <summary>The personal prefix "" in $home with "/", which GNU imap4d adds when no namespace defines "".</summary>
    public static NamespacePrefix DefaultPersonalPrefix { get; } = new(NamespaceKind.Personal, "", '/', "$home", null, null);

    /// <summary>
    /// GNU imap4d 3.15's built-in default: only the personal prefix "" in $home with "/";
    /// the other users' and shared namespaces are empty (NIL in the NAMESPACE response).
    /// </summary>
    public static NamespaceSettings Default { get; } = new([DefaultPersonalPrefix], [], []);
}
