using Imap4d.Config;

namespace Imap4d.Logging;

/// <summary>Everything <see cref="LogSetup"/> needs; defaults are GNU imap4d's.</summary>
public sealed record LogOptions
{
    public LogDestination Destination { get; init; } = LogDestination.Syslog;

    public SyslogFacility Facility { get; init; } = SyslogFacilities.Default;

    /// <summary>Syslog tag and stderr prefix.</summary>
    public string Tag { get; init; } = "imap4d";

    /// <summary>Less severe messages are dropped. Debug output is opt-in, as with <c>--debug-level</c>.</summary>
    public SyslogSeverity MinimumSeverity { get; init; } = SyslogSeverity.Info;

    /// <summary>Stderr only: show the severity name before each message.</summary>
    public bool PrintSeverity { get; init; }

    public string SyslogSocketPath { get; init; } = SyslogTarget.DefaultSocketPath;

    /// <summary>From the <c>logging</c> block; throws ArgumentException on an unknown facility or severity name.</summary>
    public static LogOptions FromSettings(LoggingSettings settings) => new()
    {
        Destination = settings.Syslog ? LogDestination.Syslog : LogDestination.Stderr,
        Facility = SyslogFacilities.Parse(settings.Facility),
        Tag = settings.Tag,
        MinimumSeverity = SyslogSeverities.Parse(settings.Severity),
        PrintSeverity = settings.PrintSeverity,
    };
}
