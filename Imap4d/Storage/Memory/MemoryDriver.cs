namespace Imap4d.Storage.Memory;

/// <summary>
/// Mailboxes that live in memory under fake paths; every open of one path shares its data,
/// so two "sessions" see each other's changes. For tests only.
/// </summary>
public sealed class MemoryDriver : IMailboxDriver
{
    private readonly Dictionary<string, MemoryMailboxData> _boxes = [];
    private uint _nextValidity = 1_000;

    public string Type => "memory";

    public bool Detect(string path)
    {
        lock (_boxes)
        {
            return _boxes.ContainsKey(path);
        }
    }

    public void Create(string path, UnixFileMode mode)
    {
        lock (_boxes)
        {
            if (!_boxes.TryAdd(path, new MemoryMailboxData { UidValidity = _nextValidity++ }))
            {
                throw new StorageException(StorageError.AlreadyExists, "Mailbox already exists");
            }
        }
    }

    /// <summary>Where mailboxes keep a FETCH cache file (null: none), so tests can exercise it.</summary>
    public string? CacheDirectory { get; init; }

    public IMailbox Open(string path, string name, bool readOnly) =>
        new MemoryMailbox(Get(path), name, readOnly)
        {
            FetchCacheFile = CacheDirectory is null ? null : Path.Combine(CacheDirectory, Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(path)) + ".cache"),
        };

    public MailboxStatus GetStatus(string path)
    {
        var data = Get(path);
        lock (data.Sync)
        {
            var infos = data.Messages.Values.Select(m => m.Info).ToList();
            return new MailboxStatus(
                (uint)infos.Count,
                (uint)infos.Count(m => m.Uid > data.RecentBoundary),
                data.UidNext,
                data.UidValidity,
                (uint)infos.Count(m => !m.Flags.Has(MessageFlags.Seen)),
                data.ModSeq);
        }
    }

    public void Delete(string path)
    {
        lock (_boxes)
        {
            if (!_boxes.Remove(path))
            {
                throw new StorageException(StorageError.NotFound, "No such mailbox");
            }
        }
    }

    public void Rename(string from, string to)
    {
        lock (_boxes)
        {
            if (!_boxes.Remove(from, out var data))
            {
                throw new StorageException(StorageError.NotFound, "No such mailbox");
            }

            // A renamed mailbox gets a new UIDVALIDITY unless UIDs stay valid; they do here.
            _boxes[to] = data;
        }
    }

    private MemoryMailboxData Get(string path)
    {
        lock (_boxes)
        {
            return _boxes.TryGetValue(path, out var data)
                ? data
                : throw new StorageException(StorageError.NotFound, "No such mailbox");
        }
    }
}
