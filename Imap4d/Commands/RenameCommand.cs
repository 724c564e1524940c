using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.5 RENAME
public sealed class RenameCommand : IImapCommand
{
    public string Name => "RENAME";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string from = args.ExpectMailbox();
        string to = args.ExpectMailbox();
        args.ExpectEnd();
        if (MailboxNameCheck.RefuseNew(to) is { } refused)
        {
            return ValueTask.FromResult(refused);
        }

        context.Session.RequireStore().Rename(from, to);
        return ValueTask.FromResult(CommandResult.Ok("RENAME Completed"));
    }
}
