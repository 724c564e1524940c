using Imap4d.Native;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// Makes the login process the unprivileged `login-user` for good, before it reads a byte from
/// any client: no supplementary groups, real/effective/saved gid and uid the account's,
/// PR_SET_NO_NEW_PRIVS, and then checks that none of it can be undone (setuid(0) and setgid(0)
/// fail, no capability is left). Dropping every uid from 0 at once clears the capability sets.
/// </summary>
public static class LoginUserSwitch
{
    /// <summary>Null when the process now runs as <paramref name="name"/>; else why not (the process must then not serve).</summary>
    public static string? Switch(string name, ILogger log)
    {
        if (Syscall.geteuid() != 0)
        {
            log.Warn("the login process keeps the daemon's identity (uid {0}): only root can switch to login-user {1}", Syscall.geteuid(), name);
            return null;
        }

        var account = Syscall.getpwnam(name);
        if (account is null)
        {
            return $"login-user {name} does not exist";
        }

        if (account.pw_uid == 0 || account.pw_gid == 0)
        {
            return $"login-user {name} has uid or gid 0";
        }

        if (!GroupList.Set([]))
        {
            return "setgroups: " + ProcessIdentity.LastError();
        }

        if (!ProcessIdentity.SetGroup(account.pw_gid))
        {
            return "setresgid: " + ProcessIdentity.LastError();
        }

        if (!ProcessIdentity.SetUser(account.pw_uid))
        {
            return "setresuid: " + ProcessIdentity.LastError();
        }

        if (!ProcessIdentity.ForbidNewPrivileges())
        {
            return "prctl(PR_SET_NO_NEW_PRIVS): " + ProcessIdentity.LastError();
        }

        return Verify(account.pw_uid, account.pw_gid);
    }

    private static string? Verify(uint uid, uint gid)
    {
        if (ProcessIdentity.Users() != (uid, uid, uid) || ProcessIdentity.Groups() != (gid, gid, gid) || GroupList.Current().Length != 0)
        {
            return $"after the switch: uids {ProcessIdentity.Users()}, gids {ProcessIdentity.Groups()}";
        }

        if (ProcessIdentity.CanBecomeRoot() || ProcessIdentity.CanBecomeRootGroup())
        {
            return "after the switch root can be regained";
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if ((line.StartsWith("CapEff:", StringComparison.Ordinal) || line.StartsWith("CapPrm:", StringComparison.Ordinal))
                && line.AsSpan(7).Trim().TrimStart('0').Length != 0)
            {
                return "after the switch capabilities are left: " + line;
            }
        }

        return null;
    }
}
