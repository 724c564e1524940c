namespace Imap4d.Config;

/// <summary>
/// The limits of one quota root (RFC 9208): STORAGE in bytes (reported in units of 1024 octets)
/// and MESSAGE as a count; null for no limit on that resource.
/// </summary>
public sealed record QuotaLimits(long? StorageBytes, long? Messages)
{
    public static QuotaLimits None { get; } = new(null, null);

    public bool IsEmpty => StorageBytes is null && Messages is null;

    /// <summary>These limits, with each one this leaves unset taken from <paramref name="fallback"/>.</summary>
    public QuotaLimits Over(QuotaLimits fallback) => new(StorageBytes ?? fallback.StorageBytes, Messages ?? fallback.Messages);
}

/// <summary>
/// The `quota` block (imap4d.NET extension): limits per quota root for every user, with
/// `user NAME { ... }` blocks that override them for one user. A quota root is named by a
/// namespace prefix: the root "" holds every mailbox of the personal namespaces not under a
/// longer root; a `root PREFIX` holds the mailboxes whose names begin with PREFIX.
/// </summary>
public sealed record QuotaSettings
{
    /// <summary>Root name → limits for every user (the statements directly in `quota` are the root "").</summary>
    public IReadOnlyDictionary<string, QuotaLimits> Roots { get; init; } = NoRoots;

    /// <summary>User name → (root name → limits) from `user` blocks.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, QuotaLimits>> Users { get; init; } = NoUsers;

    // Shared empty maps, so that settings without quotas compare equal.
    private static readonly Dictionary<string, QuotaLimits> NoRoots = new();
    private static readonly Dictionary<string, IReadOnlyDictionary<string, QuotaLimits>> NoUsers = new();

    /// <summary>`file-system`: report (and check before writing) the file system's own quota of the user (default on).</summary>
    public bool FileSystem { get; init; } = true;

    /// <summary>The roots in effect for <paramref name="user"/>, each resource from the user's block over the global one; roots without any limit left out.</summary>
    public IReadOnlyDictionary<string, QuotaLimits> For(string user)
    {
        var own = Users.GetValueOrDefault(user) ?? NoRoots;
        var result = new Dictionary<string, QuotaLimits>(StringComparer.Ordinal);
        foreach (string root in Roots.Keys.Union(own.Keys))
        {
            var limits = (own.GetValueOrDefault(root) ?? QuotaLimits.None).Over(Roots.GetValueOrDefault(root) ?? QuotaLimits.None);
            if (!limits.IsEmpty)
            {
                result[root] = limits;
            }
        }

        return result;
    }
}
