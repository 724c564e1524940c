namespace Imap4d.Storage.Locking;

/// <summary>
/// How mailbox files are locked, with GNU mailutils' defaults (`locking { retry-count 10;
/// retry-sleep 1; expire-timeout 600; }`). <see cref="RetryCount"/> and <see cref="RetrySleep"/>
/// apply to the dotlock and to the fcntl lock alike.
/// </summary>
public sealed record LockingOptions
{
    public static LockingOptions Default { get; } = new();

    /// <summary>Create <c>NAME.lock</c> (O_EXCL) while the mailbox is read or written.</summary>
    public bool UseDotLock { get; init; } = true;

    /// <summary>Take an fcntl (POSIX record) lock on the whole mailbox file.</summary>
    public bool UseFcntl { get; init; } = true;

    /// <summary>How many times to try before giving up with <see cref="StorageError.InUse"/>.</summary>
    public int RetryCount { get; init; } = 10;

    public TimeSpan RetrySleep { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A dotlock older than this is considered stale (its owner died) and removed.</summary>
    public TimeSpan ExpireTimeout { get; init; } = TimeSpan.FromSeconds(600);
}
