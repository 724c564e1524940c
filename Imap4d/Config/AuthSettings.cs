namespace Imap4d.Config;

/// <summary>
/// What happens around a login besides the password check: which modules find the account
/// (`auth { authorization }`), PAM, the access lists, login-name rules, impersonation, the
/// failed-login policy and the switch to the user's privileges.
/// </summary>
public sealed record AuthSettings
{
    /// <summary>`auth { authorization ...; }`: modules that must know the account, in order (GNU default generic, system).</summary>
    public IReadOnlyList<string> AuthorizationModules { get; init; } = ["generic", "system"];

    /// <summary>`pam { service }`: the PAM service name.</summary>
    public string PamService { get; init; } = "imap4d";

    /// <summary>`pam { timeout }`: longest wait for one PAM conversation (imap4d.NET extension).</summary>
    public TimeSpan PamTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>`allow-users`: when set, only these accounts may log in.</summary>
    public IReadOnlyList<string>? AllowUsers { get; init; }

    /// <summary>`deny-users`: accounts that may not log in.</summary>
    public IReadOnlyList<string>? DenyUsers { get; init; }

    /// <summary>`allow-groups`: when set, only members of these groups (primary or supplementary) may log in.</summary>
    public IReadOnlyList<string>? AllowGroups { get; init; }

    /// <summary>`deny-groups`: members of these groups may not log in.</summary>
    public IReadOnlyList<string>? DenyGroups { get; init; }

    /// <summary>`login-failure-delay`: the wait before a failed LOGIN or AUTHENTICATE is answered.</summary>
    public TimeSpan FailureDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The `lockout` block.</summary>
    public LockoutSettings Lockout { get; init; } = new();

    /// <summary>The `login-names` block.</summary>
    public LoginNameSettings LoginNames { get; init; } = new();

    /// <summary>The `impersonation` block.</summary>
    public ImpersonationSettings Impersonation { get; init; } = new();

    /// <summary>`create-home-dir`, `home-dir-mode` and `retain-groups`.</summary>
    public PrivilegeSettings Privileges { get; init; } = new();
}
