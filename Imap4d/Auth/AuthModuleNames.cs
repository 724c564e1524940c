namespace Imap4d.Auth;

/// <summary>
/// Module names as written in <c>auth { authentication (...); authorization (...); }</c>,
/// and how they map onto the modules this server has.
/// </summary>
public static class AuthModuleNames
{
    public const string VirtualUsers = PasswdFileUserDatabase.ModuleName;
    public const string System = SystemAuthenticator.ModuleName;
    /// <summary>Mailutils' "generic" module (getpwnam + crypt) is our "system".</summary>
    public const string Generic = "generic";
    public const string Pam = "pam";

    /// <summary>Mailutils modules this server knows of but does not implement (yet).</summary>
    private static readonly HashSet<string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        "ldap", "sql", "radius", "kerberos", "gsasl",
    };

    /// <summary>
    /// The module name a configured name stands for: lower-cased, "generic" → "system".
    /// </summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string lower = name.Trim().ToLowerInvariant();
        return lower == Generic ? System : lower;
    }

    /// <summary>Whether a (canonical) name is one mailutils knows but this server lacks.</summary>
    public static bool IsKnownUnsupported(string canonicalName) => KnownUnsupported.Contains(canonicalName);

    /// <summary>Whether a (canonical) name is one this server implements.</summary>
    public static bool IsSupported(string canonicalName) =>
        canonicalName is VirtualUsers or System or Pam;

    /// <summary>
    /// Modules that only check passwords and know nothing about accounts, so they have no
    /// part in `authorization` (as in mailutils, where they have no getpwnam handler).
    /// </summary>
    public static bool IsAuthenticationOnly(string canonicalName) => canonicalName == Pam;

    /// <summary>
    /// Picks the modules named in <paramref name="names"/> from <paramref name="available"/>, in
    /// configuration order, each once. Names of modules that are unimplemented (ldap, sql...) or
    /// not set up (virtual-users without a file) are skipped with a warning; a name nobody
    /// knows is a configuration error (<see cref="ArgumentException"/>).
    /// </summary>
    internal static List<T> Select<T>(IEnumerable<string> names, IEnumerable<T> available, Func<T, string> nameOf, Action<string> warn,
        string role = "authentication")
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(available);
        var byName = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (T module in available)
        {
            byName.TryAdd(Canonical(nameOf(module)), module);
        }
        var selected = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            string canonical = Canonical(name);
            if (!seen.Add(canonical))
            {
                continue;
            }
            if (byName.TryGetValue(canonical, out T? module))
            {
                selected.Add(module);
            }
            else if (IsKnownUnsupported(canonical))
            {
                warn($"{role} module \"{name}\" is not implemented; skipped");
            }
            else if (IsSupported(canonical))
            {
                warn($"{role} module \"{name}\" is not {(role == "authorization" && IsAuthenticationOnly(canonical) ? "an authorization module (it only checks passwords)" : "configured")}; skipped");
            }
            else
            {
                throw new ArgumentException($"unknown {role} module \"{name}\"", nameof(names));
            }
        }
        if (selected.Count == 0)
        {
            warn($"no usable {role} module: nobody can log in");
        }
        return selected;
    }
}
