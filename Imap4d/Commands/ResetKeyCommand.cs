using Imap4d.Commands.UrlAuth;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 4467 §6.1 RESETKEY [mailbox [mechanism...]]: a new access key for the mailbox (for every
// mailbox without one), so that every URLAUTH URL given for it before no longer fetches anything.
public sealed class ResetKeyCommand : IImapCommand
{
    public string Name => "RESETKEY";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string? name = args.AtEnd ? null : args.ExpectMailbox();
        while (!args.AtEnd)
        {
            if (!UrlAuthToken.IsInternal(args.ExpectAtom("mechanism")))
            {
                return ValueTask.FromResult(CommandResult.Bad("Unsupported URLAUTH mechanism"));
            }
        }

        var store = context.Session.RequireStore();
        if (name is null)
        {
            store.ResetUrlAuthKeys(null);
            return ValueTask.FromResult(CommandResult.Ok("All keys reset"));
        }

        store.Status(name); // NO [NONEXISTENT] for a mailbox that is not there
        store.ResetUrlAuthKeys(name);
        return ValueTask.FromResult(CommandResult.Ok("RESETKEY Completed", "URLMECH " + UrlAuthToken.Mechanism));
    }
}
