using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.4.1 CHECK
public sealed class CheckCommand : IImapCommand
{
    public string Name => "CHECK";

    public SessionStates AllowedIn => SessionStates.Selected;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        context.Session.RequireSelected().Mailbox.Checkpoint();
        return ValueTask.FromResult(CommandResult.Ok("CHECK Completed"));
    }
}
