using Imap4d.Protocol;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// Finds a folder on disk whose name is canonically equivalent (the same NFC form) to a name that
/// is not there: UTF-8 names arrive in NFC (RFC 6855 §3), but another program may have created
/// the folder decomposed ("Cafe&#x301;" where the client asks for "Caf&#xe9;"). Names on disk are
/// modified UTF-7; only names with encoded characters ('&amp;') can differ this way.
/// </summary>
public static class CanonicalNameMatch
{
    /// <summary>
    /// The entry of <paramref name="directory"/> equivalent to <paramref name="entry"/> (which does not
    /// exist there), the ordinal first when several are; null when none is.
    /// </summary>
    public static string? FindEntry(string directory, string entry)
    {
        if (!entry.Contains('&') || !ModifiedUtf7.TryDecode(entry, out string text))
        {
            return null;
        }

        string wanted = UnicodeNormalization.Nfc(text);
        string? found = null;
        try
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(directory))
            {
                string candidate = Path.GetFileName(path);
                if (candidate.Contains('&') && (found is null || string.CompareOrdinal(candidate, found) < 0) &&
                    ModifiedUtf7.TryDecode(candidate, out string decoded) &&
                    UnicodeNormalization.Nfc(decoded) == wanted)
                {
                    found = candidate;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return found;
    }

    /// <summary>
    /// The components below <paramref name="root"/> with each missing one replaced by its equivalent
    /// on disk; null when nothing was replaced or a component has no equivalent.
    /// </summary>
    public static List<string>? FindPath(string root, IReadOnlyList<string> components)
    {
        var found = new List<string>(components.Count);
        bool replaced = false;
        string directory = root;
        foreach (string component in components)
        {
            string name = component;
            if (!Exists(Path.Combine(directory, name)))
            {
                name = FindEntry(directory, name) ?? "";
                if (name.Length == 0)
                {
                    return null;
                }

                replaced = true;
            }

            found.Add(name);
            directory = Path.Combine(directory, name);
        }

        return replaced ? found : null;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
