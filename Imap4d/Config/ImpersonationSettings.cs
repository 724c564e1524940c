namespace Imap4d.Config;

/// <summary>
/// The `impersonation` block (imap4d.NET extension): administrators log in as
/// "admin!user" (or with a SASL PLAIN authorization identity) with their own password and
/// then act as the user.
/// </summary>
public sealed record ImpersonationSettings
{
    /// <summary>`administrators`: the account names allowed to impersonate; empty turns the feature off.</summary>
    public IReadOnlyList<string> Administrators { get; init; } = [];

    /// <summary>`separator`: the character between the administrator's and the user's name.</summary>
    public char Separator { get; init; } = '!';

    public bool Enabled => Administrators.Count > 0;
}
