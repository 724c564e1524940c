using Mono.Unix.Native;

namespace Imap4d.Auth;

/// <summary>
/// System accounts through getpwnam(3) (so NSS: files, LDAP, ...): name, uid, gid, home.
/// </summary>
public sealed class SystemUserDirectory : IUserDirectory
{
    public const string ModuleName = "system";

    public string Name => ModuleName;

    public UserInfo? Lookup(string user)
    {
        Passwd? entry = GetPasswd(user);
        return entry is null ? null : ToUserInfo(entry);
    }

    internal static UserInfo ToUserInfo(Passwd entry) =>
        new(entry.pw_name, entry.pw_dir, entry.pw_uid, entry.pw_gid, ModuleName);

    /// <summary>The passwd entry, or null for unknown users and names getpwnam cannot take.</summary>
    internal static Passwd? GetPasswd(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Length == 0 || user.Contains('\0'))
        {
            return null;
        }
        Passwd? entry = Syscall.getpwnam(user);
        // NSS modules may match case-insensitively; Unix names are case-sensitive.
        return entry is not null && entry.pw_name == user ? entry : null;
    }
}
