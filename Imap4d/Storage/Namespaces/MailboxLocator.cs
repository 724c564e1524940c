using Imap4d.Config;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// Turns IMAP names into file system paths for one user: INBOX through the `mailbox` block,
/// everything else through the longest matching namespace prefix. $user and $home are
/// expanded per GNU imap4d: for the personal and shared namespaces with the logged-in user,
/// for the other-users namespace with the user named by the first component after the prefix.
/// </summary>
public sealed class MailboxLocator
{
    private readonly ServerSettings _settings;
    private readonly string _user;
    private readonly string _home;
    private readonly Func<string, string?> _homeOf;

    /// <param name="homeOf">Home directory of another user (for the other-users namespace); null if unknown.</param>
    public MailboxLocator(ServerSettings settings, string user, string home, Func<string, string?> homeOf)
    {
        _settings = settings;
        _user = user;
        _home = home;
        _homeOf = homeOf;
    }

    public IEnumerable<NamespacePrefix> AllPrefixes =>
        _settings.Namespaces.Personal.Concat(_settings.Namespaces.Other).Concat(_settings.Namespaces.Shared);

    /// <summary>The delimiter of the personal "" namespace (or "/"), for names like INBOX.</summary>
    public char DefaultDelimiter =>
        _settings.Namespaces.Personal.FirstOrDefault(p => p.Prefix.Length == 0)?.Delimiter ?? '/';

    public MailboxPath Resolve(string name)
    {
        if (name.Length == 0 || name.Contains('\0'))
        {
            throw new StorageException(StorageError.NoPermission, "Invalid mailbox name");
        }

        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            var inbox = Inbox();
            CheckInboxInside(inbox.FileSystemPath);
            return inbox;
        }

        var prefix = AllPrefixes
            .Where(p => name.StartsWith(p.Prefix, StringComparison.Ordinal))
            .MaxBy(p => p.Prefix.Length)
            ?? throw new StorageException(StorageError.NoPermission, "Mailbox name is outside every namespace");
        string rest = name[prefix.Prefix.Length..];
        var components = rest.Split(prefix.Delimiter).ToList();
        if (components.Count > 0 && components[^1].Length == 0 && rest.Length > 0)
        {
            components.RemoveAt(components.Count - 1); // a trailing delimiter names the folder itself
        }

        string root = RootOf(prefix, components);
        string path = PathOf(prefix, root, components);
        if (name.Contains('&') && !File.Exists(path) && !Directory.Exists(path) && EquivalentOnDisk(prefix, root, path, components) is { } found)
        {
            bool trailing = rest.Length > 0 && rest[^1] == prefix.Delimiter;
            int tail = string.Join(prefix.Delimiter, components).Length + (trailing ? 1 : 0);
            name = name[..^tail] + string.Join(prefix.Delimiter, found) + (trailing ? prefix.Delimiter.ToString() : "");
            path = PathOf(prefix, root, found);
        }

        PathGuard.CheckLength(root, path);
        PathGuard.CheckInside(root, path);
        return new MailboxPath(name, prefix, path, prefix.Delimiter, IsInbox: false);
    }

    private static string PathOf(NamespacePrefix prefix, string root, List<string> components) => prefix.MaildirPlusPlus
        ? Maildir.MaildirLayout.PathOf(root, string.Join(prefix.Delimiter, components), Maildir.MaildirLayoutStyle.MaildirPlusPlus, prefix.Delimiter)
        : PathGuard.Join(root, components);

    /// <summary>
    /// For a name that is not on disk: the components of a folder that is, under the same NFC form
    /// (created decomposed by another program); null when there is none.
    /// </summary>
    private static List<string>? EquivalentOnDisk(NamespacePrefix prefix, string root, string path, List<string> components)
    {
        if (!prefix.MaildirPlusPlus)
        {
            return CanonicalNameMatch.FindPath(root, components);
        }

        // Maildir++ keeps every folder as one ".a.b" entry of the root.
        return CanonicalNameMatch.FindEntry(root, Path.GetFileName(path)) is { } entry ? entry[1..].Split('.').ToList() : null;
    }

    /// <summary>The directory of a namespace prefix, variables expanded; for the other-users namespace, of the named user.</summary>
    public string RootOf(NamespacePrefix prefix, List<string> components)
    {
        if (prefix.Kind != NamespaceKind.Other)
        {
            return Expand(prefix.Directory, _user, _home);
        }

        // "~joe/Mail": the first component names the user; it is consumed here.
        if (components.Count == 0 || components[0].Length == 0)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox name lacks a user name");
        }

        string user = components[0];
        components.RemoveAt(0);
        if (user is "." or ".." || user.Contains('/'))
        {
            throw new StorageException(StorageError.NotFound, "No such user or mailbox");
        }

        // As GNU: $user is the name as given; only $home needs the user to exist.
        bool needsHome = prefix.Directory.Contains("$home", StringComparison.Ordinal) || prefix.Directory.Contains("${home}", StringComparison.Ordinal);
        string home = _homeOf(user) ?? (needsHome ? throw new StorageException(StorageError.NotFound, "No such user or mailbox") : "");
        return Expand(prefix.Directory, user, home);
    }

    /// <summary>The directory of a personal or shared prefix (no user component).</summary>
    public string RootOf(NamespacePrefix prefix) => Expand(prefix.Directory, _user, _home);

    public MailboxPath Inbox()
    {
        var mailbox = _settings.Mailbox;
        string? type;
        string path = mailbox.MailboxPattern is { } pattern
            ? StripScheme(Expand(pattern, _user, _home), out type)
            : Path.Combine(StripScheme(Expand(mailbox.MailSpool, _user, _home), out type), _user);
        return new MailboxPath("INBOX", null, path, DefaultDelimiter, IsInbox: true) { ForcedType = type };
    }

    /// <summary>
    /// INBOX may not lead, through symbolic links, out of the home directory when it lies there
    /// (mailbox-pattern "$home/..."), or else out of its own directory (the spool): a user could
    /// otherwise point INBOX at a file the session's `mail` group can read, such as another
    /// user's spool mailbox.
    /// </summary>
    private void CheckInboxInside(string path)
    {
        string home = _home.TrimEnd('/');
        string root = home.Length > 0 && path.StartsWith(home + "/", StringComparison.Ordinal)
            ? home
            : Path.GetDirectoryName(path) ?? "/";
        PathGuard.CheckInside(root, path);
    }

    /// <summary>Expands $user, ${user}, $home, ${home} (GNU imap4d's variables).</summary>
    public static string Expand(string text, string user, string home) => text
        .Replace("${user}", user).Replace("$user", user)
        .Replace("${home}", home).Replace("$home", home);

    /// <summary>"maildir:///x", "maildir://x", "mbox:x" → path and type; a plain path → itself, no type.</summary>
    private static string StripScheme(string location, out string? type)
    {
        type = null;
        int colon = location.IndexOf(':');
        if (colon <= 0 || location.StartsWith('/'))
        {
            return location;
        }

        string scheme = location[..colon].ToLowerInvariant();
        if (scheme is not ("mbox" or "maildir" or "mh" or "file"))
        {
            return location;
        }

        type = scheme == "file" ? null : scheme;
        string rest = location[(colon + 1)..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            rest = rest[2..];
        }

        return rest;
    }
}
