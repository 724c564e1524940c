namespace Imap4d.Storage.Namespaces;

/// <summary>
/// Subscribed mailbox names, one per line in `~/.mailboxlist` as GNU imap4d keeps them.
/// Rewritten atomically (temporary file and rename).
/// </summary>
public sealed class SubscriptionList
{
    private readonly string _path;

    public SubscriptionList(string path)
    {
        _path = path;
    }

    /// <summary>The file the list is kept in.</summary>
    public string Path => _path;

    public IReadOnlyList<string> All
    {
        get
        {
            try
            {
                return File.ReadAllLines(_path).Where(l => l.Length > 0).Distinct().ToList();
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return [];
            }
        }
    }

    public void Add(string name)
    {
        var names = All.ToList();
        if (!names.Contains(name))
        {
            names.Add(name);
            Save(names);
        }
    }

    public void Remove(string name)
    {
        var names = All.ToList();
        if (names.Remove(name))
        {
            Save(names);
        }
    }

    private void Save(List<string> names)
    {
        string temp = _path + ".tmp." + Environment.ProcessId;
        try
        {
            File.WriteAllLines(temp, names);
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageError.NoPermission, "Cannot save subscriptions", e.Message, e);
        }
    }
}
