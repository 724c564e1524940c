using Imap4d.Storage.Quota;

namespace Imap4d.Storage;

/// <summary>
/// One authenticated user's view of mail: namespaces, name resolution and the mailbox
/// operations that work on names. Every command reaches files only through this.
/// Throws <see cref="StorageException"/> for anything the client should see as NO.
/// </summary>
public interface IMailStore
{
    /// <summary>Resolves a mailbox name; throws NoPermission for names outside every namespace.</summary>
    MailboxPath Resolve(string name);

    /// <summary>Opens a mailbox (SELECT, EXAMINE, APPEND/COPY targets, STATUS).</summary>
    IMailbox Open(string name, bool readOnly);

    /// <summary>Opens a mailbox as the target of APPEND (see <see cref="IMailboxDriver.OpenForAppend"/>).</summary>
    IMailbox OpenForAppend(string name) => Open(name, readOnly: true);

    /// <summary>CREATE; a trailing delimiter creates a folder that holds only other mailboxes.</summary>
    void Create(string name);

    /// <summary>CREATE with RFC 6154 USE: the mailbox keeps the given special-use attributes (checked by the caller).</summary>
    void Create(string name, IReadOnlyCollection<string> specialUse);

    void Delete(string name);

    void Rename(string from, string to);

    MailboxStatus Status(string name);

    /// <summary>STATUS SIZE (RFC 8438): the sum of the messages' RFC822.SIZE.</summary>
    ulong Size(string name);

    /// <summary>RFC 8474 MAILBOXID of an existing mailbox, stable across RENAME.</summary>
    string MailboxId(string name);

    /// <summary>Where a change of mailbox <paramref name="name"/> shows, for NOTIFY's watches; empty when unknown (then it is polled).</summary>
    IReadOnlyList<ChangeSource> ChangeSources(string name) => [];

    /// <summary>Where MAILBOXIDs are kept (changed by CREATE, RENAME and DELETE of our sessions); null when not in a file.</summary>
    ChangeSource? MailboxIdSource => null;

    /// <summary>Where subscriptions are kept, for NOTIFY's SubscriptionChange; null when not in a file.</summary>
    ChangeSource? SubscriptionSource => null;

    /// <summary>The MAILBOXIDs given out so far by name (RFC 8474), to tell a RENAME from a DELETE and a CREATE.</summary>
    IReadOnlyDictionary<string, string> KnownMailboxIds => new Dictionary<string, string>();

    /// <summary>Names the user subscribed to, in the order of subscription.</summary>
    IReadOnlyList<string> Subscriptions { get; }

    /// <summary>LIST attributes of one name (NonExistent when there is no such mailbox or folder).</summary>
    MailboxInfo Describe(string name);

    /// <summary>LIST (or LSUB with <paramref name="subscribedOnly"/>) with RFC 3501 reference and pattern rules.</summary>
    IReadOnlyList<MailboxInfo> List(string reference, string pattern, bool subscribedOnly = false);

    void Subscribe(string name);

    void Unsubscribe(string name);

    /// <summary>RFC 9208: the quota roots of mailbox <paramref name="name"/> (none: no quota applies).</summary>
    IReadOnlyList<string> QuotaRoots(string name) => [];

    /// <summary>RFC 9208: the resources of a quota root; null when the user has no such root.</summary>
    IReadOnlyList<QuotaResource>? GetQuota(string root) => null;

    /// <summary>
    /// Throws <see cref="StorageError.OverQuota"/> when adding <paramref name="messages"/> messages of
    /// <paramref name="bytes"/> octets in all to mailbox <paramref name="name"/> would pass a quota.
    /// </summary>
    void CheckQuota(string name, long bytes, int messages)
    {
    }

    /// <summary>
    /// RFC 4467 URLAUTH: the mailbox access key of mailbox <paramref name="name"/>, made (and kept
    /// private to the user) when there is none and <paramref name="create"/>; null when there is
    /// none or none can be kept.
    /// </summary>
    byte[]? UrlAuthKey(string name, bool create) => null;

    /// <summary>RFC 4467 RESETKEY: forgets the access key of mailbox <paramref name="name"/>, or with null of every mailbox.</summary>
    void ResetUrlAuthKeys(string? name)
    {
    }

    /// <summary>Moving messages from <paramref name="from"/> to <paramref name="to"/> changes no quota root's usage.</summary>
    bool SameQuotaRoots(string from, string to) => true;
}
