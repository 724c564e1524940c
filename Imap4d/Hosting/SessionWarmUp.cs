using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// Runs what every session runs, once, before a prestarted process reports ready: a short
/// inetd-mode session (CAPABILITY, NOOP, a failing LOGIN, LOGOUT) on a loopback TCP connection
/// it makes to itself, so that the socket layer and its I/O thread, the endpoint queries, the
/// reader, writer and command table, and the signal handling are loaded and initialized
/// before a client waits on them; then the pieces of a successful login. Touches no mail, no
/// authentication module and no log. Best effort: a failure only costs the first client time.
/// </summary>
public static class SessionWarmUp
{
    // LOGIN fails (the warm-up session has no authenticator): it parses, refuses, and logs nowhere.
    private static readonly string[] Script = ["w1 CAPABILITY", "w2 NOOP", "w3 LOGIN warm-up warm-up", "w4 LOGOUT"];

    /// <summary>A SHA-512 crypt setting at the lowest cost libcrypt accepts; no password matches it.</summary>
    private const string WarmUpHash = "$6$rounds=1000$imap4dwarmup$";

    public static void Run(SessionServices services)
    {
        try
        {
            RunSession(services);
            using var signal = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => { });
            WarmPerServerSettings(services);
            WarmLogFormatting();
            WarmLogin(services);
        }
        catch (Exception e) when (e is SocketException or IOException or NativeError or AggregateException)
        {
            services.Log.Debug("warm-up incomplete: {0}", e.Message);
        }
    }

    private static void RunSession(SessionServices services)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        // Without the connection checks: the warm-up must not run acl programs, preauth
        // programs or ident queries, nor wait for a PROXY header, for a connection no client made.
        var settings = services.Settings with { Gate = new(), Preauth = new(), Tls = new(), Servers = [] };
        var quiet = new SessionServices { Settings = settings, Clock = services.Clock };
        int fd = (int)server.Handle;
        var session = Task.Run(() => InetdHost.RunAsync(quiet, SessionStart.Normal, fd, fd, CancellationToken.None));

        // One command at a time, each after the previous answer, as a client does: the server's
        // reads then wait for data (the asynchronous socket path), not only find it buffered.
        client.ReceiveTimeout = 10_000;
        var buffer = new byte[4096];
        _ = client.Receive(buffer);
        foreach (string command in Script)
        {
            client.Send(Encoding.ASCII.GetBytes(command + "\r\n"));
            string tag = command[..command.IndexOf(' ', StringComparison.Ordinal)] + " ";
            var answer = new StringBuilder();
            while (!answer.ToString().Contains("\r\n" + tag, StringComparison.Ordinal) && !answer.ToString().StartsWith(tag, StringComparison.Ordinal))
            {
                int n = client.Receive(buffer);
                if (n == 0)
                {
                    break;
                }

                answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }

        session.Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>What a connection to a `server` block costs: its settings and its copy of the services.</summary>
    private static void WarmPerServerSettings(SessionServices services)
    {
        foreach (var server in services.Settings.Servers)
        {
            if (IPAddress.TryParse(server.Address.Trim('[', ']'), out var address))
            {
                var local = new IPEndPoint(address, server.Port);
                _ = services.ForConnection(new ConnectionInfo(local, new IPEndPoint(address, 1)));
            }
        }
    }

    /// <summary>NLog's message template formatting, as the log targets use it, without writing anything.</summary>
    private static void WarmLogFormatting()
    {
        var logEvent = new NLog.LogEventInfo(NLog.LogLevel.Info, "imap4d", null, "session started for {0}", ["warm-up"]);
        _ = logEvent.FormattedMessage;
    }

    /// <summary>
    /// What a successful login runs besides the authenticator chain itself (which is not called:
    /// a module such as PAM would log a failure): the virtual-users file parser, libcrypt, and a
    /// mail store for a user. Building a store touches no file.
    /// </summary>
    private static void WarmLogin(SessionServices services)
    {
        if (services.Settings.UserDatabaseFile is string file)
        {
            _ = new Auth.PasswdFileUserDatabase(file, _ => { }).Lookup("");
        }

        _ = Auth.Crypt.Verify("warm-up", WarmUpHash);
        _ = services.StoreFactory?.Invoke(new Auth.UserInfo("imap4d-warm-up", "/nonexistent/imap4d-warm-up"));
    }
}
