namespace Imap4d.Config;

/// <summary>What the standalone daemon itself does, beyond listening (`pidfile`, `prestart-children`).</summary>
public sealed record DaemonSettings
{
    /// <summary>`pidfile`: where the daemon writes its pid once it listens; null for none.</summary>
    public string? PidFile { get; init; }

    /// <summary>
    /// `prestart-children` (imap4d.NET extension): session processes started ahead of time and
    /// kept idle, so that a new connection does not wait for a process to start; 0 disables.
    /// </summary>
    public int PrestartChildren { get; init; } = 2;

    /// <summary>
    /// `login-process` (imap4d.NET extension): serve connections before login in one
    /// unprivileged login process that forwards credentials to the daemon (privilege separation).
    /// </summary>
    public bool LoginProcess { get; init; } = true;

    /// <summary>`login-user` (imap4d.NET extension): the account the login process runs as.</summary>
    public string LoginUser { get; init; } = "nobody";

    /// <summary>
    /// `max-login-connections` (imap4d.NET extension): unauthenticated connections the login
    /// process holds at once; a new one over the limit closes the oldest.
    /// </summary>
    public int MaxLoginConnections { get; init; } = 256;

    /// <summary>
    /// `sessions-per-user-process` (imap4d.NET extension): how many logged-in connections of one
    /// user one process serves at once (Dovecot's client_limit); 1 gives each its own process.
    /// </summary>
    public int SessionsPerUserProcess { get; init; } = 10;

    /// <summary>
    /// `user-process-linger` (imap4d.NET extension): how long a user's process whose sessions
    /// have all ended waits for that user's next connection before it exits; 0 exits at once.
    /// </summary>
    public TimeSpan UserProcessLinger { get; init; } = TimeSpan.FromSeconds(10);
}
