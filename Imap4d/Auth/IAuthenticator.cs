namespace Imap4d.Auth;

/// <summary>
/// Checks a user name and password. Implementations: the virtual-user file, system users
/// (shadow + crypt) and PAM. Returns null when the credentials are wrong or the user is unknown;
/// throws only for failures of the mechanism itself (logged, answered NO).
/// </summary>
public interface IAuthenticator
{
    /// <summary>The module name used in `auth { authentication ...; }`.</summary>
    string Name { get; }

    ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct);
}

/// <summary>
/// Finds an account without a password, for preauthentication and `admin!user` style
/// authorization. Returns null when the user is unknown to this module.
/// </summary>
public interface IUserDirectory
{
    string Name { get; }

    UserInfo? Lookup(string user);
}
