using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.1.3 LOGOUT: untagged BYE, then the tagged OK, then the connection closes. Updates
// still pending for the selected mailbox go before the BYE: a client forgets the mailbox once it
// sees BYE, so an EXPUNGE or EXISTS after it would be applied to nothing (or be an error).
// The mailbox is written back and closed before the answer, as GNU imap4d does: a client that
// has its OK may hand the mailbox to another program (an mbox reader that knows only the
// Status headers) at once.
public sealed class LogoutCommand : IImapCommand
{
    public string Name => "LOGOUT";

    public SessionStates AllowedIn => SessionStates.Any;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        context.PollSelected(allowExpunge: true);
        context.CloseSelected();
        context.Writer.UntaggedStatus("BYE", null, "Session terminating.");
        return ValueTask.FromResult(CommandResult.Ok("LOGOUT Completed", next: SessionState.Logout));
    }
}
