using System.Net.Sockets;
using Imap4d.Commands;
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
    public static Task<int> RunAsync(SessionServices services, SessionStart start, CancellationToken ct) =>
        RunAsync(services, start, input: 0, output: 1, ct);

    /// <summary>
    /// The session on descriptors <paramref name="input"/> and <paramref name="output"/>, which
    /// stay open: the process's standard ones, or another socket (the prestarted process's warm-up).
    /// </summary>
    internal static async Task<int> RunAsync(SessionServices services, SessionStart start, int input, int output, CancellationToken ct)
    {
        var connection = ConnectionInfo.FromFileDescriptor(input);
        services = services.ForConnection(connection);
        Stream inputStream;
        Stream outputStream;
        if (connection.IsSocket)
        {
            var socket = new Socket(new SafeSocketHandle(input, ownsHandle: false));
            socket.NoDelay = socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
            inputStream = outputStream = new NetworkStream(socket, ownsSocket: false);
        }
        else
        {
            inputStream = new FileStream(new SafeFileHandle(input, ownsHandle: false), FileAccess.Read, 1);
            outputStream = new FileStream(new SafeFileHandle(output, ownsHandle: false), FileAccess.Write, 1);
        }

        services.Log.Info("session started for {0}", connection.ClientText);
        var session = new ImapSession(services, CommandRegistry.CreateDefault(), connection, start.TestMode);
        await session.RunAsync(inputStream, outputStream, start, ct).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
