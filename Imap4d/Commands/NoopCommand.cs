using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.1.2 NOOP: pending mailbox updates are sent by the session after any command.
public sealed class NoopCommand : IImapCommand
{
    public string Name => "NOOP";

    public SessionStates AllowedIn => SessionStates.Any;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        return ValueTask.FromResult(CommandResult.Ok("NOOP Completed"));
    }
}
