using System.Net.Sockets;
using Imap4d.Commands;
using Imap4d.IO;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// A prestarted session process given a connection that logged in in the login process (on
/// fds 0 and 1: the client's socket, or under TLS the plain-text end of the login process's
/// relay): it becomes the user before it reads a byte from the client, writes the login
/// command's tagged OK, and serves the session, starting with the input the client had
/// pipelined after the login command.
/// </summary>
public static class PostLoginHost
{
    public static async Task<int> RunAsync(SessionServices services, PostLoginHandoff login, CancellationToken ct)
    {
        var state = login.State;
        var perServer = services.ForConnection(state.Connection);
        var socket = new Socket(new SafeSocketHandle(0, ownsHandle: false));
        if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            socket.NoDelay = true;
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        Stream input = state.PendingInput.Length > 0 ? new PrefixedStream(state.PendingInput, stream) : stream;
        var session = new ImapSession(perServer, CommandRegistry.CreateDefault(), state.Connection);
        var resumption = new LoginResumption(login.User, login.How, state.Tag, state.CommandName, state.Tls, state.Enabled, state.ClientId);
        await session.ResumeAsync(input, stream, resumption, ct).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
