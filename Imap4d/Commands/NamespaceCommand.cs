using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 2342 NAMESPACE; after ENABLE UTF8=ACCEPT the prefixes are sent as UTF-8 (RFC 6855 §3).
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
        bool utf8 = context.Session.Enabled.Contains(Utf8Accept.Capability);
        WriteKind(writer, namespaces.Personal, utf8);
        WriteKind(writer, namespaces.Other, utf8);
        WriteKind(writer, namespaces.Shared, utf8);
        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("NAMESPACE Completed"));
    }

    private static void WriteKind(ResponseWriter writer, IReadOnlyList<NamespacePrefix> prefixes, bool utf8)
    {
        if (prefixes.Count == 0)
        {
            writer.Nil();
            return;
        }

        writer.BeginList();
        foreach (var prefix in prefixes)
        {
            writer.Adjacent().BeginList().String(utf8 ? prefix.Prefix : ModifiedUtf7.Encode(prefix.Prefix)).String(prefix.Delimiter.ToString()).EndList();
        }

        writer.EndList();
    }
}
