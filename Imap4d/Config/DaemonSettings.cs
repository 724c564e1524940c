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
}
