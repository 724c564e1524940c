using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.6 SUBSCRIBE and §6.3.7 UNSUBSCRIBE
public sealed class SubscribeCommand(bool subscribe) : IImapCommand
{
    public string Name => subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        var store = context.Session.RequireStore();
        if (subscribe)
        {
            store.Subscribe(name);
        }
        else
        {
            store.Unsubscribe(name);
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
