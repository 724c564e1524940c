namespace Imap4d.Auth;

/// <summary>
/// The result of a login attempt. On success <see cref="User"/> is the account to serve and
/// <see cref="Administrator"/> names who authenticated when an administrator impersonates.
/// Failures carry no reason: the client must not learn which check refused it (the log does).
/// </summary>
public sealed record LoginOutcome
{
    private LoginOutcome(UserInfo? user, string? administrator, bool unavailable, bool blocked = false)
    {
        User = user;
        Administrator = administrator;
        Unavailable = unavailable;
        Blocked = blocked;
    }

    public UserInfo? User { get; }

    public string? Administrator { get; }

    /// <summary>The authentication service failed (not the client); answered NO [UNAVAILABLE].</summary>
    public bool Unavailable { get; }

    /// <summary>
    /// Refused without checking the password, after too many failures of this user from this
    /// address or of this address for many users; answered NO [UNAVAILABLE] so that the client
    /// stops trying, which tells nothing about the password.
    /// </summary>
    public bool Blocked { get; }

    public bool Succeeded => User is not null;

    public static LoginOutcome Success(UserInfo user, string? administrator = null) => new(user, administrator, false);

    public static LoginOutcome Refused { get; } = new(null, null, false);

    public static LoginOutcome ServiceUnavailable { get; } = new(null, null, true);

    public static LoginOutcome TooManyFailures { get; } = new(null, null, false, blocked: true);
}
