using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3691 UNSELECT: deselect without expunging.
public sealed class UnselectCommand : IImapCommand
{
    public string Name => "UNSELECT";

    public SessionStates AllowedIn => SessionStates.Selected;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["UNSELECT"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        var selected = context.Session.RequireSelected();
        try
        {
            selected.Mailbox.Checkpoint();
        }
        finally
        {
            context.Session.Deselect();
        }

        return ValueTask.FromResult(CommandResult.Ok("UNSELECT Completed"));
    }
}
