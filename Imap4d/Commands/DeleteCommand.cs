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
        if (context.Session.Selected?.Mailbox.Name == name)
        {
            context.Session.Deselect();
        }

        context.Session.RequireStore().Delete(name);
        return ValueTask.FromResult(CommandResult.Ok("DELETE Completed"));
    }
}
