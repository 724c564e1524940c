namespace Imap4d.Config;

/// <summary>
/// The `lockout` block (imap4d.NET extension), after Dovecot's auth penalty and fail2ban's
/// rules. Every failed login slows down further failures of its client address, its user name
/// and the pair of both (a delay doubling from `login-failure-delay` up to <see cref="MaxDelay"/>),
/// and one client address gets at most one failure answered per <see cref="FailureInterval"/>,
/// across all connections and processes. Hard blocks apply only to the pair (after
/// <see cref="MaxFailures"/> failures) and to an address that failed for <see cref="MaxUsers"/>
/// different users: a stranger can slow down, but never block, another address's logins.
/// </summary>
public sealed record LockoutSettings
{
    /// <summary>`max-failures`: failures of one user from one address that block the pair; 0 turns all of this off.</summary>
    public int MaxFailures { get; init; } = 10;

    /// <summary>`max-users`: different users failing from one address that block the address; 0 never blocks an address.</summary>
    public int MaxUsers { get; init; } = 10;

    /// <summary>`window`: how far back failures are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>`lock-time`: how long a blocked pair or address is refused.</summary>
    public TimeSpan LockTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>`max-delay`: the longest the growing failure delay gets.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>`failure-interval`: at most one failed or refused login answered per client address within this time.</summary>
    public TimeSpan FailureInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>`directory`: where the records are kept, shared by every imap4d process.</summary>
    public string Directory { get; init; } = "/run/imap4d/lockout";

    public bool Enabled => MaxFailures > 0;
}
