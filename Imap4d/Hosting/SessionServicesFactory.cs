using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using NLog;

namespace Imap4d.Hosting;

/// <summary>Builds the services every session of this process shares, from the bound settings.</summary>
public static class SessionServicesFactory
{
    public static SessionServices Create(ServerSettings settings)
    {
        var log = LogManager.GetLogger("imap4d");
        var transcriptLog = LogManager.GetLogger("transcript");
        var users = CreateUserDirectory(settings, message => log.Warn(message));
        var drivers = MailDrivers.CreateDefault();
        return new SessionServices
        {
            Settings = settings,
            Authenticator = CreateAuthenticator(settings, message => log.Warn(message)),
            Log = log,
            Transcript = settings.Transcript ? line => transcriptLog.Info(line) : null,
            StoreFactory = user => new MailStore(settings, user.Name, user.Home, drivers, name => users.Lookup(name)?.Home),
        };
    }

    /// <summary>Where other users' homes are found (the other-users namespace): virtual users, then system users.</summary>
    public static IUserDirectory CreateUserDirectory(ServerSettings settings, Action<string> warn)
    {
        var directories = new List<IUserDirectory>();
        if (settings.UserDatabaseFile is { } file)
        {
            directories.Add(new PasswdFileUserDatabase(file, warn));
        }

        directories.Add(new SystemUserDirectory());
        return new UserDirectoryChain(directories);
    }

    /// <summary>
    /// The configured authentication modules in order. A configured `virtual-users` file is
    /// consulted first even when `auth` does not name it, so that the file alone is enough.
    /// </summary>
    public static IAuthenticator CreateAuthenticator(ServerSettings settings, Action<string> warn)
    {
        var available = new List<IAuthenticator> { new SystemAuthenticator(warn) };
        var names = settings.AuthenticationModules.ToList();
        if (settings.UserDatabaseFile is { } file)
        {
            available.Add(new PasswdFileUserDatabase(file, warn));
            if (!names.Contains(PasswdFileUserDatabase.ModuleName, StringComparer.OrdinalIgnoreCase))
            {
                names.Insert(0, PasswdFileUserDatabase.ModuleName);
            }
        }

        return AuthenticatorChain.FromNames(names, available, warn);
    }
}
