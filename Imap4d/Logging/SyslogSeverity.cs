using NLog;

namespace Imap4d.Logging;

/// <summary>The eight syslog severities with their RFC 3164 codes (lower is more severe).</summary>
public enum SyslogSeverity
{
    Emerg = 0,
    Alert = 1,
    Crit = 2,
    Error = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// <summary>
/// GNU severity names and their mapping to NLog levels. NLog has fewer levels than syslog, so the
/// exact severity travels with the event in <see cref="PropertyName"/> (see <see cref="LoggerExtensions"/>);
/// events without it get a severity derived from their NLog level.
/// </summary>
public static class SyslogSeverities
{
    /// <summary>The LogEventInfo property that carries the exact <see cref="SyslogSeverity"/>.</summary>
    public const string PropertyName = "syslog-severity";

    private static readonly Dictionary<string, SyslogSeverity> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["debug"] = SyslogSeverity.Debug,
        ["info"] = SyslogSeverity.Info,
        ["notice"] = SyslogSeverity.Notice,
        ["warning"] = SyslogSeverity.Warning,
        ["warn"] = SyslogSeverity.Warning,
        ["error"] = SyslogSeverity.Error,
        ["err"] = SyslogSeverity.Error,
        ["crit"] = SyslogSeverity.Crit,
        ["alert"] = SyslogSeverity.Alert,
        ["emerg"] = SyslogSeverity.Emerg,
    };

    public static bool TryParse(string name, out SyslogSeverity severity) => ByName.TryGetValue(name, out severity);

    public static SyslogSeverity Parse(string name) =>
        TryParse(name, out SyslogSeverity severity)
            ? severity
            : throw new ArgumentException($"unknown severity '{name}'", nameof(name));

    /// <summary>The GNU name: debug, info, notice, warning, error, crit, alert, emerg.</summary>
    public static string Name(SyslogSeverity severity) => severity switch
    {
        SyslogSeverity.Debug => "debug",
        SyslogSeverity.Info => "info",
        SyslogSeverity.Notice => "notice",
        SyslogSeverity.Warning => "warning",
        SyslogSeverity.Error => "error",
        SyslogSeverity.Crit => "crit",
        SyslogSeverity.Alert => "alert",
        SyslogSeverity.Emerg => "emerg",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    public static LogLevel ToLogLevel(SyslogSeverity severity) => severity switch
    {
        SyslogSeverity.Debug => LogLevel.Debug,
        SyslogSeverity.Info or SyslogSeverity.Notice => LogLevel.Info,
        SyslogSeverity.Warning => LogLevel.Warn,
        SyslogSeverity.Error => LogLevel.Error,
        _ => LogLevel.Fatal,
    };

    public static SyslogSeverity FromLogLevel(LogLevel level)
    {
        if (level <= LogLevel.Debug)
        {
            return SyslogSeverity.Debug;
        }

        if (level == LogLevel.Info)
        {
            return SyslogSeverity.Info;
        }

        if (level == LogLevel.Warn)
        {
            return SyslogSeverity.Warning;
        }

        return level == LogLevel.Error ? SyslogSeverity.Error : SyslogSeverity.Crit;
    }

    /// <summary>The event's exact severity if it carries one, else the one its NLog level implies.</summary>
    public static SyslogSeverity Of(LogEventInfo logEvent) =>
        logEvent.HasProperties && logEvent.Properties.TryGetValue(PropertyName, out object? value) && value is SyslogSeverity severity
            ? severity
            : FromLogLevel(logEvent.Level);
}
