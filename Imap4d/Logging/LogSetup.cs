using NLog;
using NLog.Config;
using NLog.Targets;

namespace Imap4d.Logging;

/// <summary>Configures NLog in code. No NLog.config file is read and no stdout target ever exists.</summary>
public static class LogSetup
{
    /// <summary>Builds a configuration with exactly one target, the one <paramref name="options"/> asks for.</summary>
    public static LoggingConfiguration BuildConfiguration(LogOptions options)
    {
        Target target = options.Destination switch
        {
            LogDestination.Syslog => new SyslogTarget
            {
                Name = "syslog",
                SocketPath = options.SyslogSocketPath,
                Facility = options.Facility,
                Tag = options.Tag,
                MinimumSeverity = options.MinimumSeverity,
            },
            LogDestination.Stderr => new StderrTarget
            {
                Name = "stderr",
                ProgramName = options.Tag,
                PrintSeverity = options.PrintSeverity,
                MinimumSeverity = options.MinimumSeverity,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };

        var configuration = new LoggingConfiguration();

        // NLog levels are coarser than syslog severities; the target filters exactly.
        // Trace has no syslog severity of its own: it is sent as debug.
        LogLevel lowest = options.MinimumSeverity == SyslogSeverity.Debug ? LogLevel.Trace : SyslogSeverities.ToLogLevel(options.MinimumSeverity);
        configuration.AddRule(lowest, LogLevel.Fatal, target);
        return configuration;
    }

    /// <summary>Replaces the process-wide NLog configuration.</summary>
    public static void Configure(LogOptions options)
    {
        LogManager.Configuration = BuildConfiguration(options);
    }

    /// <summary>Convenience for configuration values as written: facility and severity names; throws ArgumentException on bad names.</summary>
    public static void Configure(LogDestination destination, string facility, string tag, string minimumSeverity, bool printSeverity)
    {
        Configure(new LogOptions
        {
            Destination = destination,
            Facility = SyslogFacilities.Parse(facility),
            Tag = tag,
            MinimumSeverity = SyslogSeverities.Parse(minimumSeverity),
            PrintSeverity = printSeverity,
        });
    }

    /// <summary>
    /// Closes the targets before the process exits. Both targets write each event before
    /// Write returns, so there is nothing to flush: NLog's own Shutdown would flush all the same,
    /// through a thread-pool work item, and start two or three threads in a process about to end
    /// (a millisecond of every `--deliver`). Disposing the factory closes the targets here.
    /// </summary>
    public static void Shutdown() => Shutdown(LogManager.LogFactory);

    /// <inheritdoc cref="Shutdown()"/>
    public static void Shutdown(LogFactory factory) => factory.Dispose();
}
