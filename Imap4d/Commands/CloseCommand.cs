using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.4.2 CLOSE: expunges silently (read-write only), then deselects.
public sealed class CloseCommand : IImapCommand
{
    public string Name => "CLOSE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        var selected = context.Session.RequireSelected();
        try
        {
            if (!selected.ReadOnly)
            {
                selected.Mailbox.Expunge();
                selected.Mailbox.Checkpoint();
            }
        }
        finally
        {
            context.Session.Deselect();
        }

        return ValueTask.FromResult(CommandResult.Ok("CLOSE Completed"));
    }
}
