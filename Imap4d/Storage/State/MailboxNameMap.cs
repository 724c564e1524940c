using System.Text;
using Imap4d.Native;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.State;

/// <summary>
/// A small per-user file that gives mailboxes (by IMAP name) a value the mailbox itself has no
/// place for: an mbox file cannot hold its special-use attributes. One line per mailbox, the
/// value, a tab, the name (values never hold a tab; names with control characters are not kept).
/// RENAME and DELETE carry the entries of a mailbox and of everything below it. Updates are
/// made under an fcntl lock on a companion ".lock" file and replace the file by rename, so a
/// reader never sees half a file; no file (or no usable state directory) reads as empty.
/// </summary>
public sealed class MailboxNameMap
{
    private static readonly Logger Log = LogManager.GetCurrentClassLogger();

    private readonly UserStateDirectory _state;
    private readonly string _fileName;

    public MailboxNameMap(UserStateDirectory state, string fileName)
    {
        _state = state;
        _fileName = fileName;
    }

    /// <summary>The file the map is kept in; null when the user has no state directory.</summary>
    public string? FilePath => _state.Root is null ? null : Path.Combine(_state.Root, _fileName);

    /// <summary>Every entry; empty when there is no file.</summary>
    public IReadOnlyDictionary<string, string> Read()
    {
        string? path = _state.Root is null ? null : Path.Combine(_state.Root, _fileName);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (path is null)
        {
            return map;
        }

        try
        {
            foreach (string line in File.ReadLines(path, Encoding.UTF8))
            {
                int tab = line.IndexOf('\t');
                if (tab > 0 && tab < line.Length - 1)
                {
                    map[line[(tab + 1)..]] = line[..tab];
                }
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // nothing kept yet
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot read {0}", path);
        }

        return map;
    }

    /// <summary>Sets (or with null removes) the value of one name.</summary>
    public void Set(string name, string? value) => Update(map =>
    {
        if (value is null)
        {
            return map.Remove(name);
        }

        map[name] = value;
        return true;
    });

    /// <summary>The value of <paramref name="name"/>, made by <paramref name="make"/> and kept when there is none (one winner among racing sessions).</summary>
    public string GetOrAdd(string name, Func<string> make)
    {
        if (Read().TryGetValue(name, out string? known))
        {
            return known;
        }

        string? result = null;
        Update(map =>
        {
            if (map.TryGetValue(name, out string? other))
            {
                result = other;
                return false;
            }

            result = make();
            map[name] = result;
            return true;
        });
        return result!;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear() => Update(map =>
    {
        bool any = map.Count > 0;
        map.Clear();
        return any;
    });

    /// <summary>Removes the entries of <paramref name="name"/> and of every name below it.</summary>
    public void RemoveTree(string name, char delimiter) => Update(map =>
    {
        var gone = map.Keys.Where(k => InTree(k, name, delimiter)).ToList();
        gone.ForEach(k => map.Remove(k));
        return gone.Count > 0;
    });

    /// <summary>Moves the entries of <paramref name="from"/> and of every name below it under <paramref name="to"/>.</summary>
    public void MoveTree(string from, string to, char delimiter) => Update(map =>
    {
        var moving = map.Where(e => InTree(e.Key, from, delimiter)).ToList();
        foreach (var (name, _) in moving)
        {
            map.Remove(name);
        }

        foreach (var (name, value) in moving)
        {
            map[to + name[from.Length..]] = value;
        }

        return moving.Count > 0;
    });

    private static bool InTree(string name, string root, char delimiter) =>
        name == root || (name.Length > root.Length && name.StartsWith(root, StringComparison.Ordinal) && name[root.Length] == delimiter);

    /// <summary>Reads, changes and (when <paramref name="change"/> says so) rewrites the file under the lock.</summary>
    private void Update(Func<Dictionary<string, string>, bool> change)
    {
        if (_state.Root is null || !PrivateFiles.EnsureDirectory(_state.Root))
        {
            throw new StorageException(StorageError.NotPossible, "No private state directory to keep this in",
                "cannot use the state directory " + _state.Root);
        }

        string path = Path.Combine(_state.Root, _fileName);
        try
        {
            using var lockFile = PrivateFiles.Open(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, bufferSize: 1);
            int fd = (int)lockFile.SafeFileHandle.DangerousGetHandle();
            while (RecordLock.Set(fd, LockType.F_WRLCK, wait: true) is var errno && errno != 0)
            {
                if (errno != Errno.EINTR)
                {
                    throw new IOException("cannot lock " + path + ".lock: " + errno);
                }
            }

            var map = new Dictionary<string, string>(Read(), StringComparer.Ordinal);
            if (!change(map))
            {
                return;
            }

            var text = new StringBuilder();
            foreach (var (name, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (!name.Any(char.IsControl) && !value.Any(char.IsControl))
                {
                    text.Append(value).Append('\t').Append(name).Append('\n');
                }
            }

            string temp = path + ".tmp." + Environment.ProcessId;
            using (var file = PrivateFiles.Open(temp, FileMode.Create, FileAccess.Write))
            {
                file.Write(Encoding.UTF8.GetBytes(text.ToString()));
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageError.NotPossible, "Cannot save mailbox state", e.Message, e);
        }
    }
}
