using Imap4d.IO;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// Keeps mailbox paths inside their namespace directory: name components are checked
/// (no "", ".", "..", no "/" or NUL), and the real path of the deepest existing ancestor,
/// with symlinks resolved, must lie inside the real namespace directory.
/// </summary>
public static class PathGuard
{
    private static readonly StorageException Escape = new(StorageError.NoPermission, "Invalid mailbox name");

    /// <summary>Joins checked components under <paramref name="root"/>.</summary>
    public static string Join(string root, IReadOnlyList<string> components)
    {
        foreach (string component in components)
        {
            if (component.Length == 0 || component == "." || component == ".." ||
                component.Contains('/') || component.Contains('\0'))
            {
                throw new StorageException(StorageError.NoPermission, "Invalid mailbox name", "bad component: " + component);
            }
        }

        return components.Count == 0 ? root : Path.Combine([root, .. components]);
    }

    /// <summary>
    /// Longest component of a mailbox path, in bytes: NAME_MAX (255) less room for the files a
    /// driver keeps beside a mailbox (".NAME.lock-PID-GUID" dotlock temporaries, "NAME-HASH.index").
    /// </summary>
    public const int MaxComponentBytes = 200;

    /// <summary>Longest mailbox path, in bytes: PATH_MAX (4096, with its NUL) less room for the files inside a mailbox.</summary>
    public const int MaxPathBytes = 4095 - 256;

    public const string TooLongText = "Mailbox name too long";

    /// <summary>
    /// Throws NotPossible ("[CANNOT] Mailbox name too long", as Dovecot answers) for a path the
    /// file system would refuse with ENAMETOOLONG, before anything is created.
    /// </summary>
    public static void CheckLength(string root, string path)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new StorageException(StorageError.NotPossible, TooLongText, $"path of {path.Length} chars");
        }

        var below = path.Length > root.Length ? path.AsSpan(root.Length) : [];
        foreach (var range in below.Split('/'))
        {
            if (System.Text.Encoding.UTF8.GetByteCount(below[range]) > MaxComponentBytes)
            {
                throw new StorageException(StorageError.NotPossible, TooLongText, $"component of {below[range].Length} chars");
            }
        }
    }

    /// <summary>Throws NoPermission when <paramref name="path"/> (existing or not) leads outside <paramref name="root"/>.</summary>
    public static void CheckInside(string root, string path)
    {
        string realRoot = RealRoot(root);
        string probe = path;
        string? real = RealPath(probe);
        while (real is null)
        {
            string? parent = Path.GetDirectoryName(probe);
            if (parent is null || parent == probe)
            {
                return;
            }

            probe = parent;
            real = RealPath(probe);
        }

        if (!IsSameOrUnder(real, realRoot))
        {
            throw new StorageException(Escape.Error, Escape.Message, $"{path} resolves to {real}, outside {realRoot}");
        }
    }

    /// <summary>
    /// Real paths of namespace roots, kept for the process (a session's user process): realpath(3)
    /// reads every component's link, and each command checks its mailbox twice. A root moved
    /// during a session can only make checks stricter (paths under its new place are refused
    /// until the next login), never admit a path outside where the root was.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> RealRoots = new(StringComparer.Ordinal);

    private static string RealRoot(string root)
    {
        if (RealRoots.TryGetValue(root, out string? known))
        {
            return known;
        }

        if (RealPath(root) is not { } real)
        {
            return Path.GetFullPath(root); // not there yet: not remembered
        }

        return RealRoots.Count < 64 ? RealRoots.GetOrAdd(root, real) : real;
    }

    private static bool IsSameOrUnder(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// The real path of an existing entry; null when nothing is there. A dangling symlink is
    /// refused outright: where it points cannot be checked.
    /// </summary>
    private static string? RealPath(string path)
    {
        string? real = IO.RealPath.TryGet(path);
        if (real is null && IsDanglingLink(path))
        {
            throw new StorageException(StorageError.NoPermission, "Invalid mailbox name", path + ": dangling symlink");
        }

        return real;
    }

    private static bool IsDanglingLink(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null;
    }
}
