namespace Imap4d.Config;

/// <summary>How a per-session process becomes the user after login (GNU imap4d's statements).</summary>
public sealed record PrivilegeSettings
{
    /// <summary>`create-home-dir`: create a missing home directory (as root, then given to the user).</summary>
    public bool CreateHomeDir { get; init; }

    /// <summary>`home-dir-mode`: the mode of created home directories (GNU documents 0700).</summary>
    public int HomeDirMode { get; init; } = 0x1c0; // 0700

    /// <summary>
    /// `retain-groups`: when set, only those of the user's supplementary groups named here are
    /// kept (GNU's mu_get_user_groups); null keeps all of them.
    /// </summary>
    public IReadOnlyList<string>? RetainGroups { get; init; }
}
