using Imap4d.Commands.Status;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.3.10 STATUS, with RFC 8438 STATUS=SIZE
public sealed class StatusCommand : IImapCommand
{
    public string Name => "STATUS";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["STATUS=SIZE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        var items = StatusItems.Parse(args.ExpectList("status items"));
        args.ExpectEnd();
        items.Write(context, name);
        return ValueTask.FromResult(CommandResult.Ok("STATUS Completed"));
    }
}
