using Imap4d.Auth;
using Imap4d.Auth.Lockout;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Storage.State;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>Builds the services every session of this process shares, from the bound settings.</summary>
public static class SessionServicesFactory
{
    /// <param name="singleSession">This process serves exactly one session (inetd mode and the
    /// daemon's per-connection children): after login it may become the user. False for the
    /// daemon serving sessions in its own process, which must keep its identity.</param>
    public static SessionServices Create(ServerSettings settings, bool singleSession = false)
    {
        var log = LogManager.GetLogger("imap4d");
        var transcriptLog = LogManager.GetLogger("transcript");
        Action<string> warn = message => log.Warn(message);
        var virtualUsers = settings.UserDatabaseFile is { } file ? new PasswdFileUserDatabase(file, warn) : null;
        var users = CreateUserDirectory(virtualUsers);
        var authenticator = CreateAuthenticator(settings, virtualUsers, warn);
        var groups = new SystemGroupDirectory();
        var stores = CreateStoreFactory(settings, users);
        return new SessionServices
        {
            Settings = settings,
            Authenticator = authenticator,
            Login = CreateLoginService(settings, authenticator, CreateAuthorization(settings, virtualUsers, warn), groups, log, warn),
            Log = log,
            Transcript = settings.Transcript ? line => transcriptLog.Info(line) : null,
            OnAuthenticated = CreateSessionSetup(settings, groups, log, singleSession),
            StoreFactory = stores,
            OtherUserUrls = new OtherUserUrls(settings, stores),
        };
    }

    /// <summary>A user's mail store as sessions (and local deliveries) build it; <paramref name="users"/> finds other users' homes.</summary>
    public static Func<UserInfo, IMailStore> CreateStoreFactory(ServerSettings settings, IUserDirectory users) =>
        user => new MailStore(settings, user.Name, user.Home,
            MailDrivers.CreateDefault(UserStateDirectory.For(settings.Mailbox.IndexDirectory, user.Name, user.Home)),
            name => users.Lookup(name)?.Home);

    /// <summary>Where other users' homes are found (the other-users namespace), for <see cref="CreateStoreFactory"/>.</summary>
    public static IUserDirectory CreateHomeDirectory(ServerSettings settings, Action<string> warn) =>
        CreateUserDirectory(settings.UserDatabaseFile is { } file ? new PasswdFileUserDatabase(file, warn) : null);

    /// <summary>Where other users' homes are found (the other-users namespace): virtual users, then system users.</summary>
    private static UserDirectoryChain CreateUserDirectory(PasswdFileUserDatabase? virtualUsers)
    {
        var directories = new List<IUserDirectory>();
        if (virtualUsers is not null)
        {
            directories.Add(virtualUsers);
        }

        directories.Add(new SystemUserDirectory());
        return new UserDirectoryChain(directories);
    }

    /// <summary>
    /// The configured authentication modules in order. A configured `virtual-users` file is
    /// consulted first even when `auth` does not name it, so that the file alone is enough.
    /// PAM is offered only when libpam can be loaded.
    /// </summary>
    private static IAuthenticator CreateAuthenticator(ServerSettings settings, PasswdFileUserDatabase? virtualUsers, Action<string> warn)
    {
        var available = new List<IAuthenticator> { new SystemAuthenticator(warn) };
        var names = WithVirtualUsersFirst(settings.AuthenticationModules, virtualUsers);
        if (virtualUsers is not null)
        {
            available.Add(virtualUsers);
        }

        if (names.Any(name => AuthModuleNames.Canonical(name) == AuthModuleNames.Pam))
        {
            if (Native.PamNative.IsAvailable())
            {
                available.Add(new PamAuthenticator(settings.Auth.PamService, settings.Auth.PamTimeout));
            }
            else
            {
                warn($"cannot load {Native.PamNative.Library}: PAM authentication is not available");
            }
        }

        return AuthenticatorChain.FromNames(names, available, warn);
    }

    /// <summary>
    /// The `authorization` modules, for accounts named without a password (preauth ident and
    /// prog), as GNU's mu_get_auth_by_name.
    /// </summary>
    public static IUserDirectory CreateUserDirectory(ServerSettings settings, Action<string> warn) =>
        CreateAuthorization(settings, settings.UserDatabaseFile is { } file ? new PasswdFileUserDatabase(file, warn) : null, warn);

    /// <summary>
    /// The `authorization` modules: where the account of a user who authenticated is found
    /// (system: getpwnam; virtual-users: the file, put first when configured but not named).
    /// </summary>
    private static IUserDirectory CreateAuthorization(ServerSettings settings, PasswdFileUserDatabase? virtualUsers, Action<string> warn)
    {
        var available = new List<IUserDirectory> { new SystemUserDirectory() };
        if (virtualUsers is not null)
        {
            available.Add(virtualUsers);
        }

        return UserDirectoryChain.FromNames(WithVirtualUsersFirst(settings.Auth.AuthorizationModules, virtualUsers), available, warn);
    }

    private static List<string> WithVirtualUsersFirst(IReadOnlyList<string> configured, PasswdFileUserDatabase? virtualUsers)
    {
        var names = configured.ToList();
        if (virtualUsers is not null && !names.Contains(PasswdFileUserDatabase.ModuleName, StringComparer.OrdinalIgnoreCase))
        {
            names.Insert(0, PasswdFileUserDatabase.ModuleName);
        }

        return names;
    }

    private static LoginService CreateLoginService(
        ServerSettings settings, IAuthenticator authenticator, IUserDirectory authorization, IGroupDirectory groups, ILogger log, Action<string> warn)
    {
        var auth = settings.Auth;
        var names = new LoginNameRules(auth.LoginNames, auth.LoginNames.MapFile is { } map ? new LoginNameMap(map, warn) : null);
        var access = new AccessRules(auth, groups);
        var lockout = auth.Lockout.Enabled ? new FileLockoutStore(auth.Lockout, TimeProvider.System, warn) : null;
        return new LoginService(authenticator, authorization, names, access.IsEmpty ? null : access, lockout, auth, TimeProvider.System, log);
    }

    /// <summary>
    /// What runs after authentication: the privilege switch when this process serves one session
    /// as root; nothing otherwise (the daemon's own sessions run with its identity, said once).
    /// </summary>
    private static Func<UserInfo, CancellationToken, ValueTask<string?>>? CreateSessionSetup(
        ServerSettings settings, IGroupDirectory groups, ILogger log, bool singleSession)
    {
        bool root = Syscall.geteuid() == 0;
        if (!singleSession)
        {
            if (root)
            {
                log.Warn("sessions served inside the daemon process run with the daemon's identity (root), not the user's");
            }

            return null;
        }

        if (!root)
        {
            return null;
        }

        var privileges = new PrivilegeSwitch(settings.Auth.Privileges, groups, log, reason =>
        {
            LogManager.Flush();
            Environment.Exit(ExitCodes.OsError);
        });
        return privileges.SwitchAsync;
    }
}
