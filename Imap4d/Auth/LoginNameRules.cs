using Imap4d.Config;

namespace Imap4d.Auth;

/// <summary>
/// Turns the name a client logs in with into the account name that is authenticated,
/// authorized and served (the `login-names` block): optionally lower-cased, then looked up in
/// the map file; if it is not listed there, "@DOMAIN" is removed for the configured domains
/// (or any, with "*") and the shorter name is looked up once more. Pure apart from the map file.
/// </summary>
public sealed class LoginNameRules
{
    private readonly LoginNameSettings _settings;
    private readonly LoginNameMap? _map;
    private readonly bool _anyDomain;
    private readonly HashSet<string> _domains;

    public LoginNameRules(LoginNameSettings settings, LoginNameMap? map = null)
    {
        _settings = settings;
        _map = map;
        _anyDomain = settings.StripDomains.Contains("*");
        _domains = new HashSet<string>(settings.StripDomains.Where(d => d != "*").Select(d => d.TrimStart('@')), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Rules that leave every name as it is.</summary>
    public static LoginNameRules None { get; } = new(new LoginNameSettings());

    public string Normalize(string loginName)
    {
        ArgumentNullException.ThrowIfNull(loginName);
        string name = _settings.LowerCase ? loginName.ToLowerInvariant() : loginName;
        if (_map?.Find(name) is { } mapped)
        {
            return mapped;
        }

        string stripped = StripDomain(name);
        if (stripped != name && _map?.Find(stripped) is { } mappedStripped)
        {
            return mappedStripped;
        }

        return stripped;
    }

    private string StripDomain(string name)
    {
        int at = name.LastIndexOf('@');
        if (at <= 0 || at == name.Length - 1)
        {
            return name;
        }

        return _anyDomain || _domains.Contains(name[(at + 1)..]) ? name[..at] : name;
    }
}
