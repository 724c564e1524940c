namespace Imap4d.Storage;

/// <summary>The closed set of storage failures; commands map each to <c>NO [CODE] text</c>.</summary>
public enum StorageError
{
    /// <summary>[NONEXISTENT]</summary>
    NotFound,

    /// <summary>[ALREADYEXISTS]</summary>
    AlreadyExists,

    /// <summary>[NOPERM]: not allowed, including names that would leave the namespace.</summary>
    NoPermission,

    /// <summary>[INUSE]: locked by another program for too long.</summary>
    InUse,

    /// <summary>[CANNOT]: not possible here (e.g. selecting a \Noselect folder, deleting INBOX).</summary>
    NotPossible,

    /// <summary>[CORRUPTION]: the mailbox cannot be read.</summary>
    Corrupted,

    /// <summary>[UNAVAILABLE]: a transient failure; try again.</summary>
    Temporary,

    /// <summary>[TOOBIG]</summary>
    TooBig,

    /// <summary>[OVERQUOTA]: the disk is full.</summary>
    OverQuota,

    /// <summary>[CANNOT], in IMAP4rev2 [HASCHILDREN]: a \Noselect name with inferiors cannot be deleted.</summary>
    HasChildren,
}

/// <summary>
/// A storage failure with a fixed, user-safe text. Paths, errno and stack traces go only to
/// the log (<see cref="Exception.InnerException"/>, <see cref="Detail"/>).
/// </summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageError error, string userText, string? detail = null, Exception? inner = null)
        : base(userText, inner)
    {
        Error = error;
        Detail = detail;
    }

    public StorageError Error { get; }

    /// <summary>What the log should say (may name paths); never sent to the client.</summary>
    public string? Detail { get; }
}
