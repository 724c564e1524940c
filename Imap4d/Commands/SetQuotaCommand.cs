using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 9208 §4.1.3 SETQUOTA. Limits come from the configuration, which a user may not change:
// the command is parsed and refused, and QUOTASET is not advertised (as Dovecot without an admin).
public sealed class SetQuotaCommand : IImapCommand
{
    public string Name => "SETQUOTA";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectAString("quota root");
        var limits = args.ExpectList("resource limits");
        while (!limits.AtEnd)
        {
            limits.ExpectAtom("resource name");
            if (limits.ExpectAtom("resource limit") is not { Length: > 0 and <= 19 } limit || !limit.All(char.IsAsciiDigit))
            {
                throw new ImapSyntaxException("Invalid resource limit");
            }
        }

        args.ExpectEnd();
        return ValueTask.FromResult(CommandResult.No("Quota limits are set by the administrator", "NOPERM"));
    }
}
