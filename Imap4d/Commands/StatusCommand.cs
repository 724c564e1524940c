using Imap4d.Commands.Status;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.10 STATUS, with RFC 8438 STATUS=SIZE and RFC 8474 OBJECTID (STATUS MAILBOXID; the
// MAILBOXID of SELECT and CREATE and FETCH EMAILID and THREADID are beside those commands), and
// RFC 9051 §6.3.11 DELETED once IMAP4rev2 is enabled.
public sealed class StatusCommand : IImapCommand
{
    public string Name => "STATUS";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["STATUS=SIZE", "OBJECTID"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var items = StatusItems.Parse(args.ExpectList("status items"), Imap4Rev2.IsEnabled(context.Session));
        args.ExpectEnd();
        items.Write(context, name);
        return ValueTask.FromResult(CommandResult.Ok("STATUS Completed"));
    }
}
