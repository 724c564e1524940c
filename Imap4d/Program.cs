using System.Net.Sockets;
using System.Runtime.InteropServices;
using Imap4d.Config;
using Imap4d.Hosting;
using Imap4d.Logging;
using Imap4d.Native;
using Imap4d.Session;
using NLog;

namespace Imap4d;

/// <summary>Entry point: parse options, load the configuration, set up logging, pick a host.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        PosixHelperLibrary.ResolveBesideProgram();
        // Set by our own daemon for the processes it starts; removed from the environment here.
        var inherited = ChildEnvironment.TakeFromProcess();
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
        IReadOnlyList<string> warnings, notes;
        try
        {
            settings = SettingsBinder.Bind(ConfigLoader.Load(sources), out warnings, out notes);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine(e.Message);
            return ExitCodes.Config;
        }

        // --test is one session on stdin/stdout whatever the mode says (GNU imap4d: test mode is
        // interactive), never a daemon listening on port 143.
        var mode = options.Test || options.Deliver || options.Lmtp ? ServerMode.Inetd : options.Mode ?? (settings.Mode == "daemon" ? ServerMode.Daemon : ServerMode.Inetd);
        // A daemon started from a terminal says its warnings there; an inetd session's stderr may
        // be the client's socket, so its warnings go to the log like everything else (below).
        bool warningsToStderr = mode == ServerMode.Daemon && !options.Test && !inherited.DaemonChild;
        if (warningsToStderr)
        {
            foreach (string warning in warnings)
            {
                stderr.WriteLine($"{HelpText.ProgramName}: {warning}");
            }
        }
        bool foreground = options.Foreground || settings.Foreground;
        if (mode == ServerMode.Daemon && !foreground && !options.Test)
        {
            return Detach(args, settings, stderr);
        }

        // A daemon in the foreground logs to the terminal, and so do its children; a detached one
        // (started by Detach, with a report pipe) logs as configured. A --test session logs as
        // configured too (syslog unless `logging { syslog no; }`), as GNU imap4d does: its test
        // scripts compare stderr to empty. Asking for debug output (--debug-level) sends it to stderr.
        bool daemonToStderr = mode == ServerMode.Daemon && inherited.ReadyFd is null;
        bool testToStderr = options.Test && options.DebugLevel is not null;
        ConfigureLogging(settings, options, toStderr: testToStderr || daemonToStderr || inherited.LogToStderr);
        if (!inherited.DaemonChild)
        {
            // The daemon has logged them already; its children would repeat them for every connection.
            LogConfigurationRemarks(warningsToStderr ? [] : warnings, notes);
        }

        // An LDA process stores one message and exits within milliseconds: the trim's timer
        // would only start a thread (and the privilege switch would signal it) for nothing.
        using var trim = options.Deliver && inherited.DeliveryChannel is null ? null : IdleMemoryTrim.Start();
        try
        {
            if (options.Deliver)
            {
                return DeliverHost.Run(settings, options, args, stderr, inherited.DeliveryChannel);
            }

            if (options.Lmtp)
            {
                using var stopLmtp = StopOnSignals();
                return LmtpHost.Run(settings, args, stopLmtp.Token);
            }

            return mode == ServerMode.Daemon
                ? RunDaemon(settings, options, args, sources, inherited, childrenLogToStderr: daemonToStderr)
                : RunInetd(settings, options, inherited);
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

    /// <summary>
    /// Statements accepted for GNU compatibility but ignored are worth a debug line, no more: GNU
    /// imap4d is silent about them, and its test scripts expect an empty stderr.
    /// </summary>
    private static void LogConfigurationRemarks(IReadOnlyList<string> warnings, IReadOnlyList<string> notes)
    {
        var log = LogManager.GetLogger("imap4d");
        foreach (string warning in warnings)
        {
            log.Warn(warning);
        }

        foreach (string note in notes)
        {
            log.Debug(note);
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

    private static int RunInetd(ServerSettings settings, CommandLineOptions options, ChildEnvironment inherited)
    {
        var services = SessionServicesFactory.Create(settings, singleSession: true);
        if (inherited.LoginChannel is int loginChannel)
        {
            using var stopLogin = StopOnSignals();
            return LoginProcessHost.Run(services, loginChannel, stopLogin.Token);
        }

        if (inherited.PoolChannel is int channel)
        {
            // A prestarted session: finish starting, say so, then wait for the daemon's connection.
            SessionWarmUp.Run(services);
            // The report fails when the daemon handed us a connection while we were starting and
            // has closed its end: the connection is waiting in the channel all the same.
            PoolChannel.ReportReady(channel);
            if (!PoolChannel.WaitForConnection(channel, out var login))
            {
                return ExitCodes.Ok;
            }

            if (login is not null)
            {
                using var stopSession = StopOnSignals();
                return PostLoginHost.RunAsync(services, login, channel, stopSession.Token).GetAwaiter().GetResult();
            }
        }

        // --preauth, `preauth stdio`, and -i on a terminal (GNU's interactive mode) start as the invoking
        // user; never a session of our daemon, whose fd 0 is a client's socket.
        bool preauth = !inherited.DaemonChild
            && (options.Preauth || settings.Preauth.Mode == PreauthMode.Stdio || Terminal.IsTerminal(Terminal.StandardInput));
        var user = preauth ? CurrentUser.Get() : null;
        if (preauth && user is null)
        {
            services.Log.Error("cannot preauthenticate: the current user has no passwd entry");
            return ExitCodes.Unavailable;
        }

        var start = new SessionStart(user, options.Test);
        SignalMask.Unblock(SignalMask.SIGINT, SignalMask.SIGTERM);
        using var stop = StopOnSignals();
        return InetdHost.RunAsync(services, start, stop.Token).GetAwaiter().GetResult();
    }

    /// <summary>Starts the daemon in the background (see <see cref="DaemonDetacher"/>); refuses first if the pid file names a live daemon.</summary>
    private static int Detach(string[] args, ServerSettings settings, TextWriter stderr)
    {
        if (settings.Daemon.PidFile is string path && new PidFile(path).LiveOwner() is int owner)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: {PidFileBusy(path, owner)}");
            return ExitCodes.TempFail;
        }

        return DaemonDetacher.Run(args, stderr);
    }

    private static int RunDaemon(ServerSettings settings, CommandLineOptions options, string[] args,
        ConfigSourceOptions sources, ChildEnvironment inherited, bool childrenLogToStderr)
    {
        var report = new ReadinessReport(inherited.ReadyFd);
        FileDescriptors.EnsureStandardDescriptors();
        // Reload, stop and reaping must work whatever signal mask we inherited (see SignalMask).
        SignalMask.Unblock(SignalMask.SIGHUP, SignalMask.SIGINT, SignalMask.SIGTERM, SignalMask.SIGCHLD);
        var services = SessionServicesFactory.Create(settings);
        if (!TlsConnection.CheckAll(services))
        {
            report.Failed("the TLS certificate or key cannot be used");
            return ExitCodes.Config;
        }

        var pidFile = settings.Daemon.PidFile is string path ? new PidFile(path) : null;
        if (pidFile?.LiveOwner() is int owner)
        {
            string message = PidFileBusy(pidFile.Path, owner);
            services.Log.Error(message);
            report.Failed(message);
            return ExitCodes.TempFail;
        }

        // Preauthentication (ident, a program) names the user before any login: such connections keep
        // the per-connection process that switches to that user (see the manual).
        bool loginProcess = settings.Daemon.LoginProcess && settings.Preauth.Mode == PreauthMode.None;
        if (settings.Daemon.LoginProcess && !loginProcess)
        {
            services.Log.Warn("login-process is not used with preauth {0}", settings.Preauth.Mode.ToString().ToLowerInvariant());
        }

        var spawner = new ChildSpawner(args, childrenLogToStderr, pooledServeLoggedInOnly: loginProcess);
        if (spawner.PooledExecutable != ChildCommandLine.Executable().Path)
        {
            services.Log.Debug("logged-in sessions run {0}", spawner.PooledExecutable);
        }

        using var host = new StandaloneHost(services, options.MaxChildren ?? settings.MaxChildren, spawner, settings.Daemon.PrestartChildren, loginProcess);
        IReadOnlyList<Listener> listeners;
        try
        {
            listeners = host.Bind();
        }
        catch (SocketException e)
        {
            string message = $"cannot listen: {e.Message}";
            services.Log.Error(message);
            report.Failed(message);
            return ExitCodes.Unavailable;
        }

        // Signals are ours before the pid file or the readiness report tells anyone our pid: a
        // SIGHUP or SIGTERM sent right after start-up must reload or stop, not kill by default.
        using var stop = StopOnSignals();
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            // A thread of its own: a busy thread pool must not delay the reload (the runtime
            // already runs this handler on a pool thread).
            new Thread(() => Reload(sources, host, services)) { IsBackground = true, Name = "imap4d reload" }.Start();
        });
        try
        {
            pidFile?.Write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string message = $"cannot write the pid file {pidFile!.Path}: {e.Message}";
            services.Log.Error(message);
            report.Failed(message);
            foreach (var listener in listeners)
            {
                listener.Socket.Dispose();
            }

            return ExitCodes.CantCreate;
        }

        try
        {
            report.Succeeded();
            host.RunAsync(listeners, stop.Token).GetAwaiter().GetResult();
            services.Log.Info("daemon stopped");
            return ExitCodes.Ok;
        }
        finally
        {
            pidFile?.Remove();
        }
    }

    /// <summary>
    /// SIGHUP. GNU imap4d re-executes itself; here the session processes already read the
    /// configuration each time one starts, so the daemon checks the file and, if it is valid,
    /// replaces its idle prestarted processes: every new session then runs with it. What the
    /// daemon itself holds (listening addresses, max-children, single-process, the pool size,
    /// the pid file) stays as it was at start-up: changing those takes a restart.
    /// </summary>
    private static void Reload(ConfigSourceOptions sources, StandaloneHost host, SessionServices services)
    {
        try
        {
            SettingsBinder.Bind(ConfigLoader.Load(sources with { Verbose = null }), out _);
        }
        catch (ConfigException e)
        {
            services.Log.Error("SIGHUP: configuration not reloaded: {0}", e.Message);
            return;
        }
        catch (Exception e)
        {
            // Reload runs on a thread of its own, where an exception would end the process unlogged.
            services.Log.Error("SIGHUP: configuration not reloaded: {0}", e.ToString());
            return;
        }

        services.Log.Info("SIGHUP: new sessions use the current configuration");
        host.RestartIdleChildren();
    }

    private static string PidFileBusy(string path, int owner) =>
        $"pid file {path} names a running process ({owner}); is another imap4d running?";

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
