namespace Imap4d.Auth.Lockout;

/// <summary>
/// Failed-login counters shared by every imap4d process. Keys come from <see cref="LockoutKeys"/>.
/// Implementations fail open: when the counters cannot be kept, nothing is locked.
/// </summary>
public interface ILockoutStore
{
    /// <summary>Whether attempts for <paramref name="key"/> are being refused now.</summary>
    bool IsLocked(string key);

    /// <summary>Counts one failure; true when it made <paramref name="key"/> locked.</summary>
    bool RecordFailure(string key);

    /// <summary>Forgets the failures of <paramref name="key"/> (after a successful login).</summary>
    void Reset(string key);
}
