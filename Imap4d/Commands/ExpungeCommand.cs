using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.4.3 EXPUNGE, and RFC 4315 UID EXPUNGE.
public sealed class ExpungeCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID EXPUNGE" : "EXPUNGE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        IReadOnlyCollection<uint>? only = null;
        if (byUid)
        {
            only = selected.Resolve(args.ExpectSequenceSet(), byUid: true).ToHashSet();
        }

        args.ExpectEnd();
        if (selected.ReadOnly)
        {
            return ValueTask.FromResult(CommandResult.No("Mailbox is read-only", "READ-ONLY"));
        }

        var expunged = selected.Mailbox.Expunge(only);
        selected.Mailbox.Checkpoint();
        selected.AnnounceExpunges(context.Writer, expunged);
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
