namespace Imap4d.Storage;

/// <summary>
/// A directory whose entries change when a mailbox changes, for a change watcher (inotify):
/// <see cref="Name"/> limits it to one entry (an mbox file in a directory of others, an index
/// file beside caches); null means any entry (a maildir's new/ and cur/, an MH folder).
/// <see cref="NamesOnly"/> leaves out changes of content: only entries created, removed or renamed
/// count (the folders that hold mailboxes, for NOTIFY's MailboxName).
/// </summary>
public sealed record ChangeSource(string Directory, string? Name = null, bool NamesOnly = false)
{
    /// <summary>The directory of <paramref name="file"/>, limited to that file's name.</summary>
    public static ChangeSource ForFile(string file)
    {
        string full = Path.GetFullPath(file);
        return new ChangeSource(Path.GetDirectoryName(full) ?? "/", Path.GetFileName(full));
    }
}
