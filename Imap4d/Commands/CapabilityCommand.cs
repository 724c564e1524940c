using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.1.1 CAPABILITY
public sealed class CapabilityCommand : IImapCommand
{
    public string Name => "CAPABILITY";

    public SessionStates AllowedIn => SessionStates.Any;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        var writer = context.Writer.Untagged().Atom("CAPABILITY");
        foreach (string capability in context.Capabilities())
        {
            writer.Atom(capability);
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("CAPABILITY Completed"));
    }

    /// <summary>The response code form, "CAPABILITY IMAP4rev1 ...", for tagged OKs after login.</summary>
    public static string ResponseCode(CommandContext context) => "CAPABILITY " + string.Join(' ', context.Capabilities());
}
