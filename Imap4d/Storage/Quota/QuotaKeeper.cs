using Imap4d.Config;

namespace Imap4d.Storage.Quota;

/// <summary>
/// RFC 9208 quotas of one user's store: the configured roots (see <see cref="QuotaSettings"/>),
/// whose usage is the sum of their mailboxes' STATUS MESSAGES and SIZE (cached per mailbox, see
/// <see cref="MailboxUsage"/>), and the file system's own quota of the user.
/// </summary>
public sealed class QuotaKeeper
{
    private readonly IMailStore _store;
    private readonly IReadOnlyDictionary<string, QuotaLimits> _roots;
    private readonly FileSystemQuota? _fileSystem;
    private readonly MailboxUsage _usage = new();

    public QuotaKeeper(IMailStore store, IReadOnlyDictionary<string, QuotaLimits> roots, bool fileSystem)
    {
        _store = store;
        _roots = roots;
        _fileSystem = fileSystem ? new FileSystemQuota() : null;
    }

    /// <summary>The quota roots of mailbox <paramref name="name"/>: its configured root, then its file system's.</summary>
    public IReadOnlyList<string> RootsOf(string name)
    {
        var path = _store.Resolve(name);
        var roots = new List<string>();
        if (ConfiguredRootOf(path) is { } configured)
        {
            roots.Add(configured);
        }

        if (_fileSystem?.For(path.FileSystemPath) is { } space)
        {
            roots.Add(space.Root);
        }

        return roots;
    }

    /// <summary>The resources of <paramref name="root"/>; null when this user has no such root.</summary>
    public IReadOnlyList<QuotaResource>? Report(string root)
    {
        if (_roots.TryGetValue(root, out var limits))
        {
            var (messages, bytes) = UsageOf(root);
            var resources = new List<QuotaResource>();
            if (limits.StorageBytes is long storage)
            {
                resources.Add(new QuotaResource(QuotaResource.Storage, QuotaResource.Kilobytes(bytes), (ulong)storage / 1024));
            }

            if (limits.Messages is long count)
            {
                resources.Add(new QuotaResource(QuotaResource.Message, (ulong)messages, (ulong)count));
            }

            return resources;
        }

        return _fileSystem?.ForRoot(root) is { } space
            ? [new QuotaResource(QuotaResource.Storage, QuotaResource.Kilobytes(space.UsedBytes), (ulong)space.LimitBytes / 1024)]
            : null;
    }

    /// <summary>
    /// Throws <see cref="StorageError.OverQuota"/> when <paramref name="messages"/> more messages of
    /// <paramref name="bytes"/> octets in all would take a root of <paramref name="name"/> past a limit.
    /// </summary>
    public void Check(string name, long bytes, int messages)
    {
        if (messages <= 0)
        {
            return;
        }

        var path = _store.Resolve(name);
        if (ConfiguredRootOf(path) is { } root)
        {
            var limits = _roots[root];
            var (used, usedBytes) = UsageOf(root);
            if ((limits.StorageBytes is long storage && usedBytes + bytes > storage)
                || (limits.Messages is long count && used + messages > count))
            {
                throw OverQuota(root);
            }
        }

        if (_fileSystem?.For(path.FileSystemPath) is { } space && space.UsedBytes + bytes > space.LimitBytes)
        {
            throw OverQuota(space.Root);
        }
    }

    /// <summary>Whether mailboxes <paramref name="a"/> and <paramref name="b"/> count against the same roots (MOVE between them changes no usage).</summary>
    public bool SameRoots(string a, string b) => RootsOf(a).SequenceEqual(RootsOf(b));

    private static StorageException OverQuota(string root) =>
        new(StorageError.OverQuota, "Quota exceeded", "quota root \"" + root + "\" is full");

    /// <summary>The longest configured root the name begins with; "" for names of the personal namespaces when configured.</summary>
    private string? ConfiguredRootOf(MailboxPath path)
    {
        string? best = null;
        foreach (string root in _roots.Keys)
        {
            if (root.Length > 0 && path.Name.StartsWith(root, StringComparison.Ordinal) && root.Length > (best?.Length ?? 0))
            {
                best = root;
            }
        }

        if (best is null && _roots.ContainsKey("") && (path.IsInbox || path.Namespace is null || path.Namespace.Kind == NamespaceKind.Personal))
        {
            best = "";
        }

        return best;
    }

    /// <summary>The messages and octets of every mailbox of <paramref name="root"/>.</summary>
    private (long Messages, long Bytes) UsageOf(string root)
    {
        var names = _store.List("", root + "*")
            .Where(m => (m.Attributes & (MailboxAttributes.Noselect | MailboxAttributes.NonExistent)) == 0)
            .Select(m => m.Name)
            .ToList();
        if (root.Length == 0 && !names.Contains("INBOX"))
        {
            names.Add("INBOX");
        }

        long messages = 0;
        long bytes = 0;
        foreach (string name in names)
        {
            MailboxPath path;
            try
            {
                path = _store.Resolve(name);
            }
            catch (StorageException)
            {
                continue;
            }

            if (ConfiguredRootOf(path) != root)
            {
                continue;
            }

            var usage = _usage.Of(path.FileSystemPath, () => Count(name));
            messages += usage.Messages;
            bytes += usage.Bytes;
        }

        return (messages, bytes);
    }

    private (long Messages, long Bytes) Count(string name)
    {
        try
        {
            return (_store.Status(name).Messages, (long)_store.Size(name));
        }
        catch (StorageException)
        {
            return (0, 0); // gone or unreadable since LIST: it holds nothing we can count
        }
    }
}
