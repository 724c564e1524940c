namespace Imap4d.Storage;

/// <summary>
/// One mailbox format (mbox, maildir, MH) on the file system. Paths are absolute and already
/// checked to lie inside their namespace; drivers never see IMAP names.
/// </summary>
public interface IMailboxDriver
{
    /// <summary>"mbox", "maildir" or "mh", as in `mailbox-type`.</summary>
    string Type { get; }

    /// <summary>True when <paramref name="path"/> is a mailbox of this format (GNU imap4d's rules).</summary>
    bool Detect(string path);

    /// <summary>
    /// <see cref="Detect(string)"/> for a directory already listed (LIST asks it of every folder):
    /// a format recognised by the names in a directory needs no more file system calls.
    /// </summary>
    bool Detect(DirectoryListing directory) => Detect(directory.Path);

    /// <summary>Creates an empty mailbox; throws AlreadyExists when something is there.</summary>
    void Create(string path, UnixFileMode mode);

    /// <summary>
    /// Finishes a mailbox whose creation was cut short (the process killed between its steps),
    /// when what is at <paramref name="path"/> can be nothing else; true when it is now a mailbox.
    /// </summary>
    bool TryFinishCreation(string path, UnixFileMode mode) => false;

    IMailbox Open(string path, string name, bool readOnly);

    /// <summary>Opens a mailbox only to append to it: where the format allows, without reading its message list.</summary>
    IMailbox OpenForAppend(string path, string name) => Open(path, name, readOnly: true);

    /// <summary>STATUS, ideally without a full open (index only).</summary>
    MailboxStatus GetStatus(string path);

    /// <summary>
    /// The files (the mailbox's own path first, by content; others may be missing) which, while
    /// every one is as it was, mean <see cref="GetStatus"/> gives the same answer, so that the
    /// answer may be kept (<see cref="Namespaces.StatusCache"/>); null when there are none such
    /// (the default: the format is not known to allow it).
    /// </summary>
    IReadOnlyList<StatusDependency>? StatusDependencies(string path) => null;

    /// <summary>
    /// STATUS worked out again from the files of <see cref="StatusDependencies"/> (as given for
    /// this mailbox) alone, without a lock, when they describe the mailbox as
    /// <paramref name="mailbox"/> (its stat, taken before the call) shows it: a check as exact as
    /// the one an open of the mailbox makes, at the cost of a read of what the driver keeps beside
    /// it; null when they do not (the caller then asks <see cref="GetStatus"/>).
    /// </summary>
    MailboxStatus? RecheckStatus(IReadOnlyList<StatusDependency> files, Index.SourceStamp mailbox) => null;

    /// <summary>STATUS SIZE: the sum of the messages' sizes as FETCH RFC822.SIZE gives them.</summary>
    ulong GetSize(string path)
    {
        using var mailbox = Open(path, string.Empty, readOnly: true);
        ulong size = 0;
        foreach (var message in mailbox.Messages)
        {
            size += (ulong)message.Size;
        }

        return size;
    }

    /// <summary>Where a change of the mailbox at <paramref name="path"/> shows (see <see cref="IMailbox.ChangeSources"/>), without opening it.</summary>
    IReadOnlyList<ChangeSource> ChangeSources(string path) => [];

    /// <summary>Deletes the mailbox's messages and files (not subfolders of a directory mailbox).</summary>
    void Delete(string path);

    /// <summary>Moves the mailbox; <paramref name="to"/> does not exist yet.</summary>
    void Rename(string from, string to);
}
