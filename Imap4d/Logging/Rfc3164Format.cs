using System.Globalization;

namespace Imap4d.Logging;

/// <summary>The classic BSD syslog line, as glibc's syslog(3) sends it to /dev/log.</summary>
public static class Rfc3164Format
{
    /// <summary>Formats <c>&lt;PRI&gt;MMM dd HH:mm:ss TAG[PID]: MESSAGE</c>; the day is space-padded ("Nov  2").</summary>
    public static string Format(SyslogFacility facility, SyslogSeverity severity, DateTime localTime, string tag, int processId, string message)
    {
        int priority = ((int)facility * 8) + (int)severity;
        string month = localTime.ToString("MMM", CultureInfo.InvariantCulture);
        string day = localTime.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2);
        string time = localTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return $"<{priority}>{month} {day} {time} {tag}[{processId}]: {message.TrimEnd('\n', '\r')}";
    }
}
