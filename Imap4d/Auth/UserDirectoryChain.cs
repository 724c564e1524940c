using NLog;

namespace Imap4d.Auth;

/// <summary>
/// Looks a user up in the configured <c>authorization (a, b, ...)</c> order; the first
/// module that knows the user wins. Used for preauthentication and authzid checks.
/// </summary>
public sealed class UserDirectoryChain : IUserDirectory
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    public UserDirectoryChain(IEnumerable<IUserDirectory> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        Directories = directories.ToArray();
    }

    public static UserDirectoryChain FromNames(IEnumerable<string> names, IEnumerable<IUserDirectory> available, Action<string>? warn = null) =>
        new(AuthModuleNames.Select(names, available, d => d.Name, warn ?? (message => Log.Warn(message)), "authorization"));

    public IReadOnlyList<IUserDirectory> Directories { get; }

    public string Name => string.Join(",", Directories.Select(d => d.Name));

    public UserInfo? Lookup(string user)
    {
        foreach (IUserDirectory directory in Directories)
        {
            UserInfo? found = directory.Lookup(user);
            if (found is not null)
            {
                return found;
            }
        }
        return null;
    }
}
