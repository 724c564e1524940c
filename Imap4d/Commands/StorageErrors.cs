using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// Response codes (RFC 5530) for storage errors, as Dovecot's imap_get_error_string maps them;
/// in IMAP4rev2 also its own HASCHILDREN (RFC 9051 §7.1).
/// </summary>
public static class StorageErrors
{
    public static string CodeOf(StorageError error, bool imap4rev2 = false) => error switch
    {
        StorageError.HasChildren => imap4rev2 ? "HASCHILDREN" : "CANNOT",
        StorageError.NotFound => "NONEXISTENT",
        StorageError.AlreadyExists => "ALREADYEXISTS",
        StorageError.NoPermission => "NOPERM",
        StorageError.InUse => "INUSE",
        StorageError.NotPossible => "CANNOT",
        StorageError.Corrupted => "CORRUPTION",
        StorageError.Temporary => "UNAVAILABLE",
        StorageError.TooBig => "TOOBIG",
        StorageError.OverQuota => "OVERQUOTA",
        _ => "SERVERBUG",
    };
}
