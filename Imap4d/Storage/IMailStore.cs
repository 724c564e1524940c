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

    void Delete(string name);

    void Rename(string from, string to);

    MailboxStatus Status(string name);

    /// <summary>LIST (or LSUB with <paramref name="subscribedOnly"/>) with RFC 3501 reference and pattern rules.</summary>
    IReadOnlyList<MailboxInfo> List(string reference, string pattern, bool subscribedOnly = false);

    void Subscribe(string name);

    void Unsubscribe(string name);
}
