using System.Net.Sockets;
using Imap4d.Commands;
using Imap4d.Session;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Hosting;

/// <summary>
/// One session on standard input and output, as inetd, systemd (Accept=yes) or the daemon's
/// child processes run us. When fd 0 is a socket it is used as one (endpoints for the log,
/// cancellable reads); otherwise fds 0 and 1 are used as plain files (pipes, a terminal).
/// The <see cref="ConnectionGate"/> (PROXY header, acl, preauth) runs before the greeting.
/// </summary>
public static class InetdHost
{
    public static async Task<int> RunAsync(SessionServices services, SessionStart start, CancellationToken ct)
    {
        var connection = ConnectionInfo.FromStdin();
        var perServer = services.ForConnection(connection);
        if (!TlsConnection.Check(perServer.Settings.Tls, perServer.TlsContexts, perServer.Log, "inetd"))
        {
            return ExitCodes.Config; // never serve in clear text what must be encrypted
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

        var admitted = await new ConnectionGate(services).AdmitAsync(input, output, connection, start, ct).ConfigureAwait(false);
        if (admitted is null)
        {
            return ExitCodes.Ok;
        }

        admitted.Services.Log.Info("session started for {0}", admitted.Connection.ClientText);
        var session = new ImapSession(admitted.Services, CommandRegistry.CreateDefault(), admitted.Connection, start.TestMode);
        await session.RunAsync(admitted.Input, admitted.Output, admitted.Start, ct).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
