using Imap4d.Commands.Notify;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5465 NOTIFY: NOTIFY SET [STATUS] (filter events)... and NOTIFY NONE. What a SET keeps
// running is the session's NotifyMonitor; the session's command loop and IDLE deliver its events.
public sealed class NotifyCommand : IImapCommand
{
    public string Name => "NOTIFY";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["NOTIFY"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string form = args.ExpectAtom("NOTIFY form").ToUpperInvariant();
        if (form == "NONE")
        {
            args.ExpectEnd();
            context.Session.SetNotify(null);
            return ValueTask.FromResult(CommandResult.Ok("NOTIFY completed"));
        }

        if (form != "SET")
        {
            throw new ImapSyntaxException("Expected SET or NONE");
        }

        var request = NotifyRequest.Parse(args);
        if (request.Unsupported != NotifyEvents.None)
        {
            // §3.1: NO, not BAD, naming the events this server supports; the previous NOTIFY stays.
            return ValueTask.FromResult(CommandResult.No("Unsupported NOTIFY events", $"BADEVENT ({NotifyRequest.SupportedNames})"));
        }

        context.Session.SetNotify(null);
        var monitor = NotifyMonitor.Start(context, request);
        if (monitor is null)
        {
            return ValueTask.FromResult(CommandResult.No("Too many mailboxes to watch", "NOTIFICATIONOVERFLOW"));
        }

        context.Session.SetNotify(monitor);
        if (request.SendStatus)
        {
            monitor.WriteInitialStatus(context);
        }

        // §3.1: a successful NOTIFY SET is an implicit NOOP; the session sends the updates before the tagged OK.
        return ValueTask.FromResult(CommandResult.Ok("NOTIFY completed"));
    }
}
