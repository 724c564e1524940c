using NLog;
using NLog.Targets;

namespace Imap4d.Logging;

/// <summary>
/// Writes <c>imap4d: message</c>, or <c>imap4d: [severity] message</c>, to standard error.
/// </summary>
/// <remarks>
/// Standard output is the IMAP stream in inetd mode, so this target refuses it; there is no other
/// console target in the logging setup, which makes logging to stdout impossible.
/// </remarks>
public sealed class StderrTarget : Target
{
    private readonly TextWriter writer;

    public StderrTarget()
        : this(Console.Error)
    {
    }

    /// <summary>For tests: write to <paramref name="writer"/>, which must not be standard output.</summary>
    internal StderrTarget(TextWriter writer)
    {
        if (ReferenceEquals(writer, Console.Out))
        {
            throw new ArgumentException("standard output carries the protocol; log to standard error", nameof(writer));
        }

        this.writer = writer;
    }

    public string ProgramName { get; set; } = "imap4d";

    /// <summary>Adds the GNU severity name in brackets, as the <c>logging { severity }</c> printing option does.</summary>
    public bool PrintSeverity { get; set; }

    public SyslogSeverity MinimumSeverity { get; set; } = SyslogSeverity.Debug;

    protected override void Write(LogEventInfo logEvent)
    {
        SyslogSeverity severity = SyslogSeverities.Of(logEvent);
        if (severity > MinimumSeverity)
        {
            return;
        }

        string message = logEvent.FormattedMessage.TrimEnd('\n', '\r');
        string line = PrintSeverity
            ? $"{ProgramName}: [{SyslogSeverities.Name(severity)}] {message}"
            : $"{ProgramName}: {message}";
        writer.WriteLine(line);
        writer.Flush();
    }
}
