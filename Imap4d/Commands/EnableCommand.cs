using System.Collections.Frozen;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5161 ENABLE. Extensions that can be enabled register their names in Enableable;
// unknown names are ignored, as the RFC requires.
public sealed class EnableCommand : IImapCommand
{
    /// <summary>Capabilities a client may ENABLE.</summary>
    public static readonly FrozenSet<string> Enableable =
        new[] { CondStore.Name, CondStore.QResync, Utf8Accept.Capability, Imap4Rev2.Capability }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public string Name => "ENABLE";

    public SessionStates AllowedIn => SessionStates.Authenticated;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["ENABLE", Utf8Accept.Capability];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        if (args.AtEnd)
        {
            throw new ImapSyntaxException("Missing capability");
        }

        var newlyEnabled = new List<string>();
        var before = context.Session.Enabled.ToHashSet(StringComparer.OrdinalIgnoreCase);
        while (!args.AtEnd)
        {
            // Named as advertised ("IMAP4rev2"), whatever case the client used.
            string capability = args.ExpectAtom("capability").ToUpperInvariant();
            capability = Enableable.TryGetValue(capability, out string? known) ? known : capability;
            if (known is not null && !before.Contains(capability) && !newlyEnabled.Contains(capability))
            {
                context.Session.Enabled.Add(capability);
                newlyEnabled.Add(capability);
            }

            if (capability == CondStore.QResync)
            {
                // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE (ENABLED lists only what was asked for).
                context.Session.Enabled.Add(CondStore.Name);
            }
        }

        var writer = context.Writer.Untagged().Atom("ENABLED");
        foreach (string capability in newlyEnabled)
        {
            writer.Atom(capability);
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok("ENABLE Completed"));
    }
}
