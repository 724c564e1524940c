using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Imap4d.Commands;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// Runs what every session runs, once, before a prestarted process reports ready: a short
/// session (CAPABILITY, NOOP, LOGOUT) over a Unix socket pair, so that the socket layer and its
/// I/O thread, the endpoint queries, the reader, writer and command table, and the signal
/// handling are loaded and initialized before a client waits on them. Touches no mail, no
/// authentication and no log.
/// </summary>
public static class SessionWarmUp
{
    // LOGIN fails (the warm-up session has no authenticator): it parses, refuses, and logs nowhere.
    private static readonly byte[] Script = Encoding.ASCII.GetBytes("w1 CAPABILITY\r\nw2 NOOP\r\nw3 LOGIN warm-up warm-up\r\nw4 LOGOUT\r\n");

    /// <summary>A SHA-512 crypt setting at the lowest cost libcrypt accepts; no password matches it.</summary>
    private const string WarmUpHash = "$6$rounds=1000$imap4dwarmup$";

    public static void Run(SessionServices services)
    {
        var (serverEnd, clientEnd) = FileDescriptors.CreateSocketPair();
        using var server = new Socket(new SafeSocketHandle(serverEnd, ownsHandle: true));
        using var client = new Socket(new SafeSocketHandle(clientEnd, ownsHandle: true));
        var connection = ConnectionInfo.FromFileDescriptor(serverEnd);
        var quiet = new SessionServices { Settings = services.Settings, Clock = services.Clock }.ForConnection(connection);
        client.Send(Script);
        using (var stream = new NetworkStream(server, ownsSocket: false))
        {
            var session = new ImapSession(quiet, CommandRegistry.CreateDefault(), connection);
            session.RunAsync(stream, stream, SessionStart.Normal, CancellationToken.None).GetAwaiter().GetResult();
        }

        using var signal = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => { });
        WarmPerServerSettings(services);
        WarmLogFormatting();
        WarmLogin(services);
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

    /// <summary>What a connection to a `server` block costs: its settings and its copy of the services.</summary>
    private static void WarmPerServerSettings(SessionServices services)
    {
        foreach (var server in services.Settings.Servers)
        {
            if (System.Net.IPAddress.TryParse(server.Address.Trim('[', ']'), out var address))
            {
                var local = new System.Net.IPEndPoint(address, server.Port);
                _ = services.ForConnection(new ConnectionInfo(local, new System.Net.IPEndPoint(address, 1)));
            }
        }
    }

    /// <summary>NLog's message template parsing and layout rendering, without writing anything.</summary>
    private static void WarmLogFormatting()
    {
        var logEvent = new NLog.LogEventInfo(NLog.LogLevel.Info, "imap4d", null, "session started for {0}", ["warm-up"]);
        _ = NLog.Layouts.Layout.FromString("${message}").Render(logEvent);
    }
}
