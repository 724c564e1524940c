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

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
        var plan = FetchPlan.Parse(args, byUid);
        args.ExpectEnd();
        bool missing = false;
        foreach (uint uid in selected.Resolve(set, byUid))
        {
            var info = selected.Find(uid);
            if (info is null)
            {
                // Expunged by someone else, not announced yet (RFC 2180 §4.1.2): say so at the end.
                missing = true;
                continue;
            }

            plan.Write(context.Writer, selected, selected.SequenceOf(uid), info);
        }

        return ValueTask.FromResult(missing
            ? CommandResult.No("Some messages were expunged by another session")
            : CommandResult.Ok(Name + " Completed"));
    }
}
