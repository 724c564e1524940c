using System.Net.Sockets;
using Imap4d.Commands;
using Imap4d.Native;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// LOGIN and AUTHENTICATE in the login process: the credentials go to the daemon with the
/// connection's descriptor and its state (<see cref="LoginHandoff"/>). Over TLS the descriptor
/// sent is one end of a new socket pair, and the other end becomes the <see cref="Relay"/>.
/// </summary>
public sealed class LoginForwarder(LoginChannel channel, Socket connection, PreLoginConnection tracked) : ILoginForwarder
{
    /// <summary>Set after a login over TLS was handed off: what the login process must keep copying.</summary>
    public TlsRelay? Relay { get; private set; }

    public async ValueTask<CommandResult> ForwardAsync(CommandContext context, ForwardedLogin login, CancellationToken ct)
    {
        if (context.PendingInput.Length > LoginHandoff.MaxPendingInput)
        {
            return CommandResult.No("Too much input pipelined after the login command", "LIMIT");
        }

        var data = context.Session;
        var handoff = new LoginHandoff(
            context.Tag,
            context.CommandName,
            data.TlsActive,
            data.Connection,
            [.. data.Enabled],
            data.ClientId?.ToList(),
            context.PendingInput.ToArray());

        Socket? relayEnd = null;
        int fd = (int)connection.Handle;
        int theirs = -1;
        if (data.TlsActive)
        {
            var (ours, sessionEnd) = FileDescriptors.CreateSocketPair();
            relayEnd = new Socket(new SafeSocketHandle(ours, ownsHandle: true));
            theirs = fd = sessionEnd;
        }

        (LoginVerdict Verdict, string? Text) answer;
        tracked.LoggingIn = true;
        try
        {
            answer = await channel.CheckAsync(
                id => LoginMessages.EncodeCredentials(new CredentialsRequest(id, login.Mechanism, login.User, login.Password, login.AuthorizationIdentity, handoff)),
                fd).ConfigureAwait(false);
        }
        finally
        {
            tracked.LoggingIn = false;
            if (theirs >= 0)
            {
                FileDescriptors.Close(theirs);
            }
        }

        if (answer.Verdict == LoginVerdict.HandedOff)
        {
            if (relayEnd is not null)
            {
                Relay = new TlsRelay(context.Transport, relayEnd);
            }

            return CommandResult.HandOff;
        }

        relayEnd?.Dispose();
        return answer.Verdict switch
        {
            LoginVerdict.Blocked => CommandResult.No("Too many failed logins; try again later", "UNAVAILABLE"),
            LoginVerdict.Unavailable => CommandResult.No("Authentication service unavailable", "UNAVAILABLE"),
            LoginVerdict.Denied => CommandResult.No(answer.Text ?? "Access denied"),
            LoginVerdict.Busy => CommandResult.No("Too many sessions; try again later", "UNAVAILABLE"),
            _ => CommandResult.No("Authentication failed", "AUTHENTICATIONFAILED"),
        };
    }
}
