using System.Net.Sockets;
using Imap4d.Commands;
using Imap4d.IO;
using Imap4d.Session;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Hosting;

/// <summary>
/// One session on standard input and output, as inetd, systemd (Accept=yes) or the daemon's
/// child processes run us. When fd 0 is a socket it is used as one (endpoints for the log,
/// cancellable reads); otherwise fds 0 and 1 are used as plain files (pipes, a terminal).
/// </summary>
public static class InetdHost
{
    public static async Task<int> RunAsync(SessionServices services, SessionStart start, CancellationToken ct)
    {
        var connection = ConnectionInfo.FromStdin();
        services = services.ForConnection(connection);
        if (!TlsConnection.Check(services.Settings.Tls, services.TlsContexts, services.Log, "inetd"))
        {
            return ExitCodes.Config;
        }

        Stream input;
        Stream output;
        if (connection.IsSocket)
        {
            var socket = new Socket(new SafeSocketHandle(0, ownsHandle: false));
            socket.NoDelay = socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
            input = output = new NetworkStream(socket, ownsSocket: false);
        }
        else
        {
            input = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
            output = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        }

        services.Log.Info("session started for {0}", connection.ClientText);
        if (services.Settings.Tls.Mode == Config.TlsMode.Connection)
        {
            // Implicit TLS needs one read-write stream; over pipes, join standard input and output.
            var transport = ReferenceEquals(input, output) ? input : new DuplexStream(input, output);
            var secure = await TlsConnection.OpenAsync(services, transport, connection, ct).ConfigureAwait(false);
            if (secure is null)
            {
                return ExitCodes.Ok;
            }

            input = output = secure;
        }

        var session = new ImapSession(services, CommandRegistry.CreateDefault(), connection, start.TestMode);
        await session.RunAsync(input, output, start, ct).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
