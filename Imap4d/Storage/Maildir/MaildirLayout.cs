namespace Imap4d.Storage.Maildir;

/// <summary>
/// Pure mappings between IMAP folder names (hierarchy delimiter <c>/</c> by default, names kept
/// in modified UTF-7) and maildir directories, for both <see cref="MaildirLayoutStyle"/>s.
/// INBOX (any case) is the root maildir in both. Names that cannot be represented — empty
/// components, "." or "..", a '.' inside a Maildir++ component, a tree component named
/// cur/new/tmp or starting with '.' — are refused with [NOPERM].
/// </summary>
public static class MaildirLayout
{
    /// <summary>The file that marks a Maildir++ folder.</summary>
    public const string FolderMarker = "maildirfolder";

    private static readonly string[] Reserved = ["cur", "new", "tmp"];

    public static bool IsInbox(string name) => string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase);

    /// <summary>The directory of folder <paramref name="name"/> under <paramref name="root"/>.</summary>
    public static string PathOf(string root, string name, MaildirLayoutStyle style, char delimiter = '/')
    {
        if (IsInbox(name))
        {
            return root;
        }

        var parts = name.Split(delimiter);
        if (parts.Length > 0 && IsInbox(parts[0]))
        {
            parts[0] = "INBOX";
        }

        foreach (string part in parts)
        {
            bool bad = part.Length == 0 || part == "." || part == ".." || part.Contains('\0', StringComparison.Ordinal)
                       || (delimiter != '/' && part.Contains('/', StringComparison.Ordinal))
                       || (style == MaildirLayoutStyle.MaildirPlusPlus && part.Contains('.', StringComparison.Ordinal))
                       || (style == MaildirLayoutStyle.Tree && (part.StartsWith('.') || Reserved.Contains(part, StringComparer.Ordinal)));
            if (bad)
            {
                throw new StorageException(StorageError.NoPermission, "Invalid mailbox name");
            }
        }

        return style == MaildirLayoutStyle.MaildirPlusPlus
            ? Path.Combine(root, "." + string.Join('.', parts))
            : Path.Combine([root, .. parts]);
    }

    /// <summary>The IMAP name of directory <paramref name="path"/>, or null when it is no folder of <paramref name="root"/>.</summary>
    public static string? NameOf(string root, string path, MaildirLayoutStyle style, char delimiter = '/')
    {
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (fullPath == fullRoot)
        {
            return "INBOX";
        }

        if (!fullPath.StartsWith(fullRoot + "/", StringComparison.Ordinal))
        {
            return null;
        }

        string relative = fullPath[(fullRoot.Length + 1)..];
        if (style == MaildirLayoutStyle.MaildirPlusPlus)
        {
            if (relative.Contains('/', StringComparison.Ordinal) || relative.Length < 2 || relative[0] != '.')
            {
                return null;
            }

            var parts = relative[1..].Split('.');
            return parts.Any(p => p.Length == 0) ? null : string.Join(delimiter, parts);
        }

        var components = relative.Split('/');
        if (components.Any(c => c.Length == 0 || c.StartsWith('.') || Reserved.Contains(c, StringComparer.Ordinal)))
        {
            return null;
        }

        return string.Join(delimiter, components);
    }

    /// <summary>
    /// Every folder under <paramref name="root"/>, INBOX first, then by name (ordinal). Maildir++
    /// parents that do not exist themselves (".A.B" without ".A") are listed as not selectable.
    /// </summary>
    public static IReadOnlyList<MaildirFolder> Enumerate(string root, MaildirLayoutStyle style, char delimiter = '/')
    {
        var driver = new MaildirDriver();
        var folders = new Dictionary<string, MaildirFolder>(StringComparer.Ordinal);
        if (style == MaildirLayoutStyle.MaildirPlusPlus)
        {
            foreach (string dir in MaildirFiles.ListDirectories(root))
            {
                if (dir.Length < 2 || dir[0] != '.' || dir == "..")
                {
                    continue;
                }

                var parts = dir[1..].Split('.');
                if (parts.Any(p => p.Length == 0))
                {
                    continue;
                }

                string path = Path.Combine(root, dir);
                folders[string.Join(delimiter, parts)] = new MaildirFolder(string.Join(delimiter, parts), path, driver.Detect(path));
                for (int n = 1; n < parts.Length; n++)
                {
                    string parent = string.Join(delimiter, parts[..n]);
                    folders.TryAdd(parent, new MaildirFolder(parent, Path.Combine(root, "." + string.Join('.', parts[..n])), false));
                }
            }
        }
        else
        {
            Walk(root, string.Empty);
        }

        var result = new List<MaildirFolder> { new("INBOX", root, driver.Detect(root)) };
        result.AddRange(folders.Values.Where(f => !IsInbox(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal));
        return result;

        void Walk(string directory, string prefix)
        {
            foreach (string dir in MaildirFiles.ListDirectories(directory))
            {
                if (dir.StartsWith('.') || Reserved.Contains(dir, StringComparer.Ordinal))
                {
                    continue;
                }

                string name = prefix.Length == 0 ? dir : prefix + delimiter + dir;
                string path = Path.Combine(directory, dir);
                folders[name] = new MaildirFolder(name, path, driver.Detect(path));
                Walk(path, name);
            }
        }
    }
}
