namespace Imap4d.Config;

/// <summary>
/// The `lockout` block (imap4d.NET extension): after <see cref="MaxFailures"/> failed logins
/// within <see cref="Window"/> from one client address, or for one user name, further attempts
/// are refused for <see cref="LockTime"/> without checking the password.
/// </summary>
public sealed record LockoutSettings
{
    /// <summary>`max-failures`: 0 turns the lockout off.</summary>
    public int MaxFailures { get; init; } = 5;

    /// <summary>`window`: how far back failures are counted.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>`lock-time`: how long attempts are refused once the limit is reached.</summary>
    public TimeSpan LockTime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>`directory`: where the counters are kept, shared by every imap4d process.</summary>
    public string Directory { get; init; } = "/run/imap4d/lockout";

    public bool Enabled => MaxFailures > 0;
}
