using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 2342 NAMESPACE
public sealed class NamespaceCommand : IImapCommand
{
    public string Name => "NAMESPACE";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["NAMESPACE"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        args.ExpectEnd();
        var namespaces = context.Settings.Namespaces;
        var writer = context.Writer.Untagged().Atom("NAMESPACE");
        WriteKind(writer, namespaces.Personal);
        WriteKind(writer, namespaces.Other);
        WriteKind(writer, namespaces.Shared);
        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("NAMESPACE Completed"));
    }

    private static void WriteKind(ResponseWriter writer, IReadOnlyList<NamespacePrefix> prefixes)
    {
        if (prefixes.Count == 0)
        {
            writer.Nil();
            return;
        }

        writer.BeginList();
        foreach (var prefix in prefixes)
        {
            writer.Adjacent().BeginList().String(ModifiedUtf7.Encode(prefix.Prefix)).String(prefix.Delimiter.ToString()).EndList();
        }

        writer.EndList();
    }
}
