using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 8508 REPLACE and UID REPLACE: APPEND a new version of a message, then expunge the old one
// from the selected mailbox, as MOVE does after its COPY. The new message is stored first, so a
// failure leaves the old one in place.
public sealed class ReplaceCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID REPLACE" : "REPLACE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public bool AcceptsLiteral8 => true;

    public IEnumerable<string> Capabilities(CapabilityContext context) => byUid ? [] : ["REPLACE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        uint number = args.ExpectNonZeroNumber(byUid ? "UID" : "message number");
        string name = args.ExpectMailbox();
        var message = AppendMessage.Read(args, context);
        args.ExpectEnd();
        if (message.Content.Length == 0)
        {
            return ValueTask.FromResult(CommandResult.No("Empty message"));
        }

        if (!byUid && number > selected.Count)
        {
            return ValueTask.FromResult(CommandResult.Bad("Invalid message sequence number"));
        }

        uint uid = byUid ? number : selected.UidOf((int)number);
        if (selected.Find(uid) is null || selected.IsExpungedPending(uid))
        {
            return ValueTask.FromResult(CommandResult.No("Message no longer exists", byUid ? null : "EXPUNGEISSUED"));
        }

        if (selected.ReadOnly)
        {
            return ValueTask.FromResult(CommandResult.No("Mailbox is read-only", "READ-ONLY"));
        }

        var appended = AppendCommand.Store(context, name, [message]);
        if (appended.Status != "OK")
        {
            return ValueTask.FromResult(appended);
        }

        context.Writer.UntaggedStatus("OK", appended.Code, "Replacement Message ready");
        selected.Mailbox.Store([uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        var expunged = selected.Mailbox.Expunge([uid]);
        selected.Mailbox.Checkpoint();
        selected.AnnounceExpunges(context.Writer, expunged);
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
