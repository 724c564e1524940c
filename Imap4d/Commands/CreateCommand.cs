using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.3 CREATE
public sealed class CreateCommand : IImapCommand
{
    public string Name => "CREATE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        if (MailboxNameCheck.RefuseNew(name) is { } refused)
        {
            return ValueTask.FromResult(refused);
        }

        context.Session.RequireStore().Create(name);
        return ValueTask.FromResult(CommandResult.Ok("CREATE Completed"));
    }
}
