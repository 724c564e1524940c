using NLog;

namespace Imap4d.Logging;

/// <summary>Logging at a GNU/syslog severity, including those NLog lacks (notice, alert, emerg).</summary>
public static class LoggerExtensions
{
    public static void Log(this Logger logger, SyslogSeverity severity, string message)
    {
        LogLevel level = SyslogSeverities.ToLogLevel(severity);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var logEvent = new LogEventInfo(level, logger.Name, message);
        logEvent.Properties[SyslogSeverities.PropertyName] = severity;
        logger.Log(logEvent);
    }

    public static void Notice(this Logger logger, string message) => logger.Log(SyslogSeverity.Notice, message);

    public static void Critical(this Logger logger, string message) => logger.Log(SyslogSeverity.Crit, message);

    public static void Alert(this Logger logger, string message) => logger.Log(SyslogSeverity.Alert, message);

    public static void Emergency(this Logger logger, string message) => logger.Log(SyslogSeverity.Emerg, message);
}
