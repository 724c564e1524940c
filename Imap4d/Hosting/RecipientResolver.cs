using Imap4d.Auth;
using Imap4d.Config;

namespace Imap4d.Hosting;

/// <summary>
/// Finds the account a delivery is addressed to: the name as given after the `login-names`
/// rules, looked up by the `authorization` modules (virtual users, system users); an address
/// user@domain not found as a whole is tried by its local part.
/// </summary>
public sealed class RecipientResolver
{
    private readonly IUserDirectory _directory;
    private readonly LoginNameRules _names;

    public RecipientResolver(ServerSettings settings, Action<string> warn)
    {
        _directory = SessionServicesFactory.CreateUserDirectory(settings, warn);
        var names = settings.Auth.LoginNames;
        _names = new LoginNameRules(names, names.MapFile is { } map ? new LoginNameMap(map, warn) : null);
    }

    public UserInfo? Resolve(string recipient)
    {
        if (recipient.Length == 0 || recipient.Length > 320 || recipient.Any(char.IsControl))
        {
            return null;
        }

        string name = _names.Normalize(recipient);
        if (_directory.Lookup(name) is { } user)
        {
            return user;
        }

        int at = name.LastIndexOf('@');
        return at > 0 ? _directory.Lookup(name[..at]) : null;
    }
}
