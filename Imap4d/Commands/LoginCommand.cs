using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.2.3 LOGIN
public sealed class LoginCommand : IImapCommand
{
    public string Name => "LOGIN";

    public SessionStates AllowedIn => SessionStates.NotAuthenticated;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        context.State == SessionState.NotAuthenticated && context.LoginDisabled ? ["LOGINDISABLED"] : [];

    public async ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string user = args.ExpectAString("user name");
        string password = args.ExpectAString("password");
        args.ExpectEnd();
        if (context.LoginDisabled)
        {
            return CommandResult.No("LOGIN is disabled", "PRIVACYREQUIRED");
        }

        return await Authentication.LoginAsync(context, user, password, "LOGIN", ct).ConfigureAwait(false);
    }
}
