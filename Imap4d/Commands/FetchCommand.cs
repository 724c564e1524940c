using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.4.5 FETCH and UID FETCH. The items are parsed once into a FetchPlan and run
// per message (mailutils imap4d/fetch.c compiles the same way).
public sealed class FetchCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID FETCH" : "FETCH";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["BINARY", "PREVIEW"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
        var plan = FetchPlan.Parse(args, byUid);
        args.ExpectEnd();
        bool skipped = false;
        foreach (uint uid in selected.Resolve(set, byUid))
        {
            // A message expunged by another session but not yet announced (RFC 2180 §4.1.2) is
            // served from what the session still knows of it (flags, size, cached ENVELOPE and
            // BODYSTRUCTURE), as Dovecot does; when an item needs data that is gone, it is left out.
            var info = selected.FindForFetch(uid);
            try
            {
                if (info is null || !plan.TryWrite(context.Writer, selected, selected.SequenceOf(uid), info))
                {
                    skipped = true;
                }
            }
            catch (UnknownCteException)
            {
                // RFC 3516 §4.3: BINARY of a part whose encoding we cannot undo.
                return ValueTask.FromResult(CommandResult.No("Unknown Content-Transfer-Encoding", "UNKNOWN-CTE"));
            }
        }

        // RFC 5530: EXPUNGEISSUED says why some messages were left out; the command still succeeded.
        return ValueTask.FromResult(skipped
            ? CommandResult.Ok("Some messages were already expunged", "EXPUNGEISSUED")
            : CommandResult.Ok(Name + " Completed"));
    }
}
