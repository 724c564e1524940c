namespace Imap4d.Auth.Lockout;

/// <summary>
/// Failed-login records shared by every imap4d process, by key (see <see cref="LockoutKeys"/>).
/// Implementations fail open: when the records cannot be kept, nothing is blocked or delayed
/// beyond the fixed failure delay.
/// </summary>
public interface ILockoutStore
{
    /// <summary>A snapshot of the record of <paramref name="key"/>; null when there is none.</summary>
    LockoutRecord? Read(string key);

    /// <summary>
    /// Changes the record of <paramref name="key"/> (an empty one when there is none) under an
    /// exclusive lock that every process respects, saves it, and returns what
    /// <paramref name="change"/> returned.
    /// </summary>
    T Update<T>(string key, Func<LockoutRecord, T> change);

    /// <summary>Forgets <paramref name="key"/>.</summary>
    void Remove(string key);
}
