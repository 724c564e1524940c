using System.IO.Enumeration;

namespace Imap4d.Storage;

/// <summary>
/// The entries of one directory from a single readdir, with whether each is a directory (from
/// the entry's type; only symbolic links and file systems that do not report types cost a
/// stat). LIST answers "is this a maildir, an MH folder, does it have children" for hundreds
/// of folders from these instead of several stats and listings per folder.
/// </summary>
public sealed class DirectoryListing
{
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

    private readonly Dictionary<string, bool> _isDirectory;

    private DirectoryListing(string path, List<Entry> entries)
    {
        Path = path;
        Entries = entries;
        _isDirectory = new Dictionary<string, bool>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _isDirectory[entry.Name] = entry.IsDirectory;
        }
    }

    /// <summary>One entry: its name and whether it is (or links to) a directory.</summary>
    public readonly record struct Entry(string Name, bool IsDirectory);

    public string Path { get; }

    /// <summary>Every entry but "." and "..", in ordinal order of names.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The listing of <paramref name="path"/>; null when it is not a directory or cannot be read.</summary>
    public static DirectoryListing? Read(string path)
    {
        try
        {
            var entries = new FileSystemEnumerable<Entry>(path, (ref FileSystemEntry e) => new Entry(e.FileName.ToString(), e.IsDirectory), AllEntries);
            var list = new List<Entry>(entries);
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return new DirectoryListing(path, list);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="name"/> is here and is a directory (as <see cref="Directory.Exists"/> would say).</summary>
    public bool HasDirectory(string name) => _isDirectory.TryGetValue(name, out bool directory) && directory;

    /// <summary>True when <paramref name="name"/> is here and is not a directory (as <see cref="File.Exists"/> would say).</summary>
    public bool HasFile(string name) => _isDirectory.TryGetValue(name, out bool directory) && !directory;

    /// <summary>The full path of an entry.</summary>
    public string PathOf(Entry entry) => System.IO.Path.Combine(Path, entry.Name);
}
