using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.4.5 FETCH and UID FETCH. The items are parsed once into a FetchPlan and run
// per message (mailutils imap4d/fetch.c compiles the same way). RFC 7162: the MODSEQ item and
// the (CHANGEDSINCE n) modifier turn CONDSTORE on; UID FETCH (CHANGEDSINCE n VANISHED) with
// QRESYNC on also reports the UIDs of the set expunged since n. RFC 9394: UID FETCH ... (PARTIAL
// a:b) fetches only the messages at those positions of the set (after CHANGEDSINCE), -1:-n the last n.
public sealed class FetchCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID FETCH" : "FETCH";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) => ["BINARY", "PREVIEW", "SAVEDATE", "PARTIAL"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
        var plan = FetchPlan.Parse(args, byUid);
        ulong? changedSince = null;
        bool vanished = false;
        Search.PartialRange? partial = null;
        if (args.TryList(out var modifiers))
        {
            (changedSince, vanished, partial) = ParseModifiers(modifiers, context);
        }

        args.ExpectEnd();
        if (changedSince is not null)
        {
            plan.AddModSeq();
        }

        if (plan.HasModSeq)
        {
            CondStore.Enable(context);
        }

        if (vanished)
        {
            var gone = VanishedUids.Since(selected, changedSince!.Value, VanishedUids.FromSequenceSet(set, selected));
            if (!gone.IsEmpty)
            {
                context.Writer.Untagged().Atom("VANISHED").BeginList().Atom("EARLIER").EndList().Atom(gone.ToString()).EndLine();
            }
        }

        bool skipped = false;
        IReadOnlyList<uint> targets = changedSince is { } floor ? ChangedSince(selected, set, floor) : selected.Resolve(set, byUid);
        if (partial is { } range)
        {
            targets = range.Select(targets);
        }
        int messageHint = 0, sequenceHint = 0;
        foreach (uint uid in targets)
        {
            // A message expunged by another session but not yet announced (RFC 2180 §4.1.2) is
            // served from what the session still knows of it (flags, size, cached ENVELOPE and
            // BODYSTRUCTURE), as Dovecot does; when an item needs data that is gone, it is left out.
            var info = selected.FindForFetch(uid, ref messageHint);
            if (info is not null && changedSince is { } since && info.ModSeq <= since)
            {
                continue;
            }

            try
            {
                if (info is null || !plan.TryWrite(context.Writer, selected, selected.SequenceOf(uid, ref sequenceHint), info))
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

    /// <summary>
    /// The UIDs of the set changed since <paramref name="floor"/>, in order: the MODSEQ is checked
    /// first, so "UID FETCH 1:* (FLAGS) (CHANGEDSINCE n)" on a large mailbox with few changes costs
    /// one pass over the view and nothing per unchanged message.
    /// </summary>
    private List<uint> ChangedSince(SelectedMailbox selected, SequenceSet set, ulong floor)
    {
        var result = new List<uint>();
        if (selected.Count == 0)
        {
            return result;
        }

        uint max = byUid ? selected.Uids[^1] : (uint)selected.Count;
        var messages = selected.Mailbox.Messages;
        // A list that reads MODSEQs and UIDs by position makes no MessageInfo for the unchanged messages.
        var indexed = messages as IUidIndexedList;
        int sequenceHint = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            ulong modSeq = indexed?.ModSeqAt(i) ?? messages[i].ModSeq;
            if (modSeq <= floor)
            {
                continue;
            }

            uint uid = indexed?.UidAt(i) ?? messages[i].Uid;
            int sequence = selected.SequenceOf(uid, ref sequenceHint);
            bool wanted = sequence > 0 && (set.IsSavedResult
                ? selected.SavedResult.Contains(uid)
                : set.Contains(byUid ? uid : (uint)sequence, max));
            if (wanted && !selected.IsExpungedPending(uid))
            {
                result.Add(uid);
            }
        }

        return result;
    }

    /// <summary>
    /// RFC 7162 fetch-modifiers: CHANGEDSINCE n, and VANISHED (UID FETCH, QRESYNC on, with
    /// CHANGEDSINCE); RFC 9394 PARTIAL range (UID FETCH only, §3.2).
    /// </summary>
    private (ulong? ChangedSince, bool Vanished, Search.PartialRange? Partial) ParseModifiers(ArgReader modifiers, CommandContext context)
    {
        ulong? changedSince = null;
        bool vanished = false;
        Search.PartialRange? partial = null;
        if (modifiers.AtEnd)
        {
            throw new ImapSyntaxException("Empty fetch modifier list");
        }

        while (!modifiers.AtEnd)
        {
            string modifier = modifiers.ExpectAtom("fetch modifier").ToUpperInvariant();
            switch (modifier)
            {
                case "CHANGEDSINCE" when changedSince is null:
                    changedSince = CondStore.ExpectModSeq(modifiers);
                    break;
                case "VANISHED" when !vanished:
                    vanished = true;
                    break;
                case "PARTIAL" when partial is null && byUid:
                    partial = Search.PartialRange.Parse(modifiers.ExpectAtom("partial range"));
                    break;
                default:
                    throw new ImapSyntaxException("Invalid fetch modifier " + modifier);
            }
        }

        if (vanished && (!byUid || changedSince is null || !CondStore.IsQResyncEnabled(context.Session)))
        {
            // RFC 7162 §3.2.6: only in UID FETCH, only with CHANGEDSINCE, only once QRESYNC is enabled.
            throw new ImapSyntaxException("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC");
        }

        return (changedSince, vanished, partial);
    }
}
