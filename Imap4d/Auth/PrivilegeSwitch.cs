using Imap4d.Config;
using Imap4d.Native;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Makes a process that serves one session the user who logged in, as GNU imap4d's
/// imap4d_session_setup0 and mu_switch_to_privs do: create the home directory when asked
/// (as root, then given to the user), then supplementary groups = the `mail` group, the user's
/// primary group and the user's other groups (only those named in `retain-groups` when it is
/// set), real/effective/saved gid = `mail` (the user's gid where there is no `mail` group),
/// real/effective/saved uid = the user's; then check that root cannot be regained, and change
/// to the home directory. Runs before the mail store is built, so nothing the user controls is
/// opened as root. Accounts without a uid (virtual users without one) and uid 0 are refused: a
/// network session never runs as root.
/// </summary>
public sealed class PrivilegeSwitch
{
    private readonly PrivilegeSettings _settings;
    private readonly IGroupDirectory _groups;
    private readonly ILogger _log;
    private readonly Action<string> _abort;

    /// <param name="abort">Ends the process after a half-done switch (the identity is then unknown);
    /// it must not return. Logged before it is called.</param>
    public PrivilegeSwitch(PrivilegeSettings settings, IGroupDirectory groups, ILogger log, Action<string> abort)
    {
        _settings = settings;
        _groups = groups;
        _log = log;
        _abort = abort;
    }

    /// <summary>The shape of the session services' OnAuthenticated hook.</summary>
    public ValueTask<string?> SwitchAsync(UserInfo user, CancellationToken ct) => ValueTask.FromResult(Switch(user));

    /// <summary>Null when the process now runs as <paramref name="user"/>; otherwise the reason it was refused (nothing changed).</summary>
    public string? Switch(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Uid is not uint uid || user.Gid is not uint gid)
        {
            _log.Error("account {0} has no uid and gid to switch to; refusing to serve it as root", user.Name);
            return "Cannot switch to the user";
        }

        if (uid == 0)
        {
            _log.Error("account {0} has uid 0; refusing to serve a session as root", user.Name);
            return "Cannot switch to the user";
        }

        if (_settings.CreateHomeDir && HomeCreation.Ensure(user, _settings.HomeDirMode, _log) is { } failure)
        {
            return failure;
        }

        uint? mail = _groups.GroupId("mail");
        uint primary = mail ?? gid;
        var supplementary = SupplementaryGroups(user, gid, mail);

        // setgroups either works or changes nothing: up to here a refusal leaves the process intact.
        if (!GroupList.Set(supplementary))
        {
            _log.Error("cannot set the groups of {0}: {1}", user.Name, ProcessIdentity.LastError());
            return "Cannot switch to the user";
        }

        if (!ProcessIdentity.SetGroup(primary))
        {
            Abort($"setresgid({primary}) for {user.Name} failed: {ProcessIdentity.LastError()}");
        }

        if (!ProcessIdentity.SetUser(uid))
        {
            Abort($"setresuid({uid}) for {user.Name} failed: {ProcessIdentity.LastError()}");
        }

        Verify(user, uid, primary, supplementary);
        if (Syscall.chdir(user.Home) != 0)
        {
            _log.Warn("cannot change to the home directory {0} of {1}: {2}", user.Home, user.Name, NativeErrno.Last);
            Syscall.chdir("/");
        }

        _log.Info("session of {0} runs as uid {1}, gid {2}, groups {3}", user.Name, uid, primary, string.Join(",", supplementary));
        return null;
    }

    /// <summary>mail (when it exists), the user's gid, then the user's other groups filtered by retain-groups.</summary>
    internal List<uint> SupplementaryGroups(UserInfo user, uint gid, uint? mail)
    {
        var groups = new List<uint>();
        if (mail is uint mailGid)
        {
            groups.Add(mailGid);
        }

        groups.Add(gid);
        HashSet<uint>? retain = _settings.RetainGroups is { } names
            ? names.Select(_groups.GroupId).OfType<uint>().ToHashSet()
            : null;
        foreach (uint group in _groups.GroupsOf(user))
        {
            if (group != gid && (retain is null || retain.Contains(group)))
            {
                groups.Add(group);
            }
        }

        return groups.Distinct().ToList();
    }

    /// <summary>Checks that every id is the user's and that root cannot come back; anything else ends the process.</summary>
    private void Verify(UserInfo user, uint uid, uint gid, List<uint> supplementary)
    {
        var users = ProcessIdentity.Users();
        var groups = ProcessIdentity.Groups();
        if (users != (uid, uid, uid) || groups != (gid, gid, gid))
        {
            Abort($"after switching to {user.Name}: uids {users}, gids {groups}");
        }

        if (!GroupList.Current().ToHashSet().SetEquals(supplementary))
        {
            Abort($"after switching to {user.Name}: unexpected supplementary groups {string.Join(",", GroupList.Current())}");
        }

        if (ProcessIdentity.CanBecomeRoot() || ProcessIdentity.CanBecomeRootGroup())
        {
            Abort($"after switching to {user.Name}: root privileges can be regained");
        }
    }

    private void Abort(string reason)
    {
        _log.Fatal("privilege switch failed, ending the session: {0}", reason);
        _abort(reason);
        throw new InvalidOperationException("privilege switch failed: " + reason); // Only reached if abort returned.
    }
}
