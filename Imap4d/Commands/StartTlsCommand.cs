using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.2.1 STARTTLS (RFC 2595 §3.1: clients forget capabilities learnt before TLS, so the
// tagged OK carries no CAPABILITY code). Texts as GNU imap4d's starttls.c.
public sealed class StartTlsCommand : IImapCommand
{
    public string Name => "STARTTLS";

    public SessionStates AllowedIn => SessionStates.NotAuthenticated;

    /// <summary>STARTTLS while it can be used; with tls-mode required also GNU imap4d's XTLSREQUIRED.</summary>
    public IEnumerable<string> Capabilities(CapabilityContext context)
    {
        if (context.State != SessionState.NotAuthenticated || !context.StartTlsOffered)
        {
            return [];
        }

        return context.Settings.Tls.Mode == Config.TlsMode.Required ? ["STARTTLS", "XTLSREQUIRED"] : ["STARTTLS"];
    }

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        if (context.StartTlsContext is not { } tls)
        {
            return ValueTask.FromResult(CommandResult.Bad("Invalid command"));
        }

        // Anything the client sent after STARTTLS arrived in clear text and could have been
        // injected by a man in the middle (CVE-2011-0411 and its IMAP cousins). It must run
        // neither now nor as if it came over TLS: like Dovecot, close the connection.
        if (context.HasPendingInput)
        {
            context.Services.Log.Warn("STARTTLS from {0} followed by pipelined data; closing the connection",
                context.Session.Connection.ClientText);
            context.Writer.UntaggedStatus("BYE", null, "Data after STARTTLS; closing connection");
            return ValueTask.FromResult(CommandResult.Bad("STARTTLS must be the last command sent before the TLS handshake") with
            {
                Next = SessionState.Logout,
            });
        }

        return ValueTask.FromResult(CommandResult.Ok("Begin TLS negotiation") with
        {
            AfterResponse = token => context.StartTlsAsync(tls, token),
        });
    }
}
