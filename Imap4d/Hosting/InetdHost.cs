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
    public static Task<int> RunAsync(SessionServices services, SessionStart start, CancellationToken ct) =>
        RunAsync(services, start, input: 0, output: 1, ct);

    /// <summary>
    /// The session on descriptors <paramref name="input"/> and <paramref name="output"/>, which
    /// stay open: the process's standard ones, or another socket (the prestarted process's warm-up).
    /// </summary>
    internal static async Task<int> RunAsync(SessionServices services, SessionStart start, int input, int output, CancellationToken ct)
    {
        var connection = ConnectionInfo.FromFileDescriptor(input);
        var perServer = services.ForConnection(connection);
        if (!TlsConnection.Check(perServer.Settings.Tls, perServer.TlsContexts, perServer.Log, "inetd"))
        {
            return ExitCodes.Config; // never serve in clear text what must be encrypted
        }

        Stream inputStream;
        Stream outputStream;
        if (connection.IsSocket)
        {
            var socket = new Socket(new SafeSocketHandle(input, ownsHandle: false));
            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                // TCP only: setting TCP_NODELAY at all (even to false) on an AF_UNIX socket
                // (systemd ListenStream=/path with Accept=yes) fails with EOPNOTSUPP.
                socket.NoDelay = true;
            }
            inputStream = outputStream = new NetworkStream(socket, ownsSocket: false);
        }
        else
        {
            inputStream = new FileStream(new SafeFileHandle(input, ownsHandle: false), FileAccess.Read, 1);
            outputStream = new FileStream(new SafeFileHandle(output, ownsHandle: false), FileAccess.Write, 1);
        }

        var admitted = await new ConnectionGate(services).AdmitAsync(inputStream, outputStream, connection, start, ct).ConfigureAwait(false);
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
