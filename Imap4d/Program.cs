using System.Net.Sockets;
using System.Runtime.InteropServices;
using Imap4d.Config;
using Imap4d.Hosting;
using Imap4d.Logging;
using Imap4d.Session;
using NLog;

namespace Imap4d;

/// <summary>Entry point: parse options, load the configuration, set up logging, pick a host.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        var stderr = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
        var parsed = CommandLineOptions.Parse(args, stdout, stderr);
        if (parsed.ShouldExit)
        {
            return parsed.ExitCode!.Value;
        }

        var options = parsed.Options!;
        if (options.ConfigHelp)
        {
            ConfigHelp.Write(stdout);
            return ExitCodes.Ok;
        }

        if (options.ShowConfigOptions)
        {
            ConfigHelp.ShowConfigOptions(stdout);
            return ExitCodes.Ok;
        }

        var sources = new ConfigSourceOptions
        {
            ConfigFile = options.ConfigFile,
            // --no-config / --no-site-config: neither /etc/mailutils.conf nor /etc/mailutils.d/imap4d.
            NoConfig = options.NoSiteConfig && options.ConfigFile is null,
            Assignments = options.Settings.ToList(),
            Verbose = options.ConfigVerbose ? stderr : null,
        };
        if (options.ConfigLint)
        {
            return ConfigLint.Run(sources, stderr);
        }

        ServerSettings settings;
        try
        {
            settings = SettingsBinder.Bind(ConfigLoader.Load(sources), out var warnings);
            foreach (string warning in warnings)
            {
                stderr.WriteLine($"{HelpText.ProgramName}: {warning}");
            }
        }
        catch (ConfigException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Config;
        }

        var mode = options.Mode ?? (settings.Mode == "daemon" ? ServerMode.Daemon : ServerMode.Inetd);
        bool foreground = options.Foreground || settings.Foreground;
        ConfigureLogging(settings, options, toStderr: options.Test || (mode == ServerMode.Daemon && foreground));
        try
        {
            return mode == ServerMode.Daemon
                ? RunDaemon(settings, options)
                : RunInetd(settings, options);
        }
        catch (Exception e)
        {
            LogManager.GetLogger("imap4d").Fatal(e, "fatal error");
            return ExitCodes.Software;
        }
        finally
        {
            LogSetup.Shutdown();
        }
    }

    private static void ConfigureLogging(ServerSettings settings, CommandLineOptions options, bool toStderr)
    {
        var log = LogOptions.FromSettings(settings.Logging);
        if (toStderr)
        {
            log = log with { Destination = LogDestination.Stderr };
        }

        if (options.Facility is { } facility)
        {
            log = log with { Facility = facility };
        }

        if (options.DebugLevel is not null)
        {
            log = log with { MinimumSeverity = SyslogSeverity.Debug };
        }

        LogSetup.Configure(log);
    }

    private static int RunInetd(ServerSettings settings, CommandLineOptions options)
    {
        var services = SessionServicesFactory.Create(settings, singleSession: true);
        // --preauth, `preauth stdio`, and -i on a terminal (GNU's interactive mode) start as the invoking user.
        bool preauth = options.Preauth || settings.Preauth.Mode == PreauthMode.Stdio || Terminal.IsTerminal(Terminal.StandardInput);
        var user = preauth ? CurrentUser.Get() : null;
        if (preauth && user is null)
        {
            services.Log.Error("cannot preauthenticate: the current user has no passwd entry");
            return ExitCodes.Unavailable;
        }

        var start = new SessionStart(user, options.Test);
        using var stop = StopOnSignals();
        return InetdHost.RunAsync(services, start, stop.Token).GetAwaiter().GetResult();
    }

    private static int RunDaemon(ServerSettings settings, CommandLineOptions options)
    {
        var services = SessionServicesFactory.Create(settings);
        if (!TlsConnection.CheckAll(services))
        {
            return ExitCodes.Config;
        }

        var host = new StandaloneHost(services, options.MaxChildren ?? settings.MaxChildren);
        IReadOnlyList<Socket> listeners;
        try
        {
            listeners = host.Bind();
        }
        catch (SocketException e)
        {
            services.Log.Error("cannot listen: {0}", e.Message);
            return ExitCodes.OsError;
        }

        using var stop = StopOnSignals();
        host.RunAsync(listeners, stop.Token).GetAwaiter().GetResult();
        services.Log.Info("daemon stopped");
        return ExitCodes.Ok;
    }

    /// <summary>A token cancelled by SIGTERM or SIGINT, for a clean shutdown.</summary>
    private static SignalStop StopOnSignals()
    {
        var cts = new CancellationTokenSource();
        void Handler(PosixSignalContext context)
        {
            context.Cancel = true;
            cts.Cancel();
        }

        return new SignalStop(cts,
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler),
        ]);
    }

    private sealed class SignalStop(CancellationTokenSource cts, PosixSignalRegistration[] registrations) : IDisposable
    {
        public CancellationToken Token => cts.Token;

        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }

            cts.Dispose();
        }
    }
}
