using NLog;

namespace Imap4d.Auth;

/// <summary>
/// System accounts: the hash comes from shadow (getspnam_r) when readable, which needs root,
/// else from the passwd entry itself; crypt(3) checks it. Expired accounts (shadow's
/// sp_expire) are refused. Without privileges, accounts whose hash lives in shadow simply
/// fail to authenticate (null), with one warning.
/// </summary>
public sealed class SystemAuthenticator : IAuthenticator
{
    public const string ModuleName = "system";

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly Action<string> _warn;
    private readonly Func<DateTime> _utcNow;
    private int _warnedNotPermitted;

    /// <param name="warn">Receives problems worth an administrator's attention; defaults to NLog.
    /// Never given a hash or a password.</param>
    /// <param name="utcNow">The clock for expiry checks; defaults to the system clock.</param>
    public SystemAuthenticator(Action<string>? warn = null, Func<DateTime>? utcNow = null)
    {
        _warn = warn ?? (message => Log.Warn(message));
        _utcNow = utcNow ?? (() => DateTime.UtcNow);
    }

    public string Name => ModuleName;

    public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        ct.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Authenticate(user, password));
    }

    private UserInfo? Authenticate(string user, string password)
    {
        var passwd = SystemUserDirectory.GetPasswd(user);
        if (passwd is null)
        {
            return null;
        }
        string? hash = FindHash(user, passwd.pw_passwd);
        if (hash is null || !Crypt.Verify(password, hash))
        {
            return null;
        }
        return SystemUserDirectory.ToUserInfo(passwd);
    }

    /// <summary>The hash to check, or null when the account must be refused.</summary>
    private string? FindHash(string user, string? passwdHash)
    {
        switch (Shadow.TryGet(user, out ShadowEntry? shadow))
        {
            case ShadowLookup.Found:
                if (shadow!.IsExpired(_utcNow()))
                {
                    Log.Info("system user {0}: account expired", user);
                    return null;
                }
                return shadow.Hash;
            case ShadowLookup.NotPermitted:
                if (Interlocked.Exchange(ref _warnedNotPermitted, 1) == 0)
                {
                    _warn("cannot read the shadow password database (not running as root?); only system accounts with a hash in passwd can log in");
                }
                break;
            case ShadowLookup.Error:
                _warn($"system user {user}: shadow lookup failed; using the passwd entry");
                break;
        }
        // "x" (and "*", "!") in passwd mean "the hash is elsewhere" or "locked": Crypt refuses them.
        return passwdHash;
    }
}
