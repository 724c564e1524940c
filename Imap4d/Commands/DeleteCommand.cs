using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.4 DELETE
public sealed class DeleteCommand : IImapCommand
{
    public string Name => "DELETE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        context.Session.RequireStore().Delete(name);
        if (context.Session.Selected?.Mailbox.Name == name)
        {
            // The selected mailbox is gone: the session falls back to the Authenticated state.
            context.Session.Deselect();
        }

        return ValueTask.FromResult(CommandResult.Ok("DELETE Completed"));
    }
}
