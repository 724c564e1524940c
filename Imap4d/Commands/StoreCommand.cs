using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.4.6 STORE and UID STORE. Flags may come with or without parentheses
// (GNU imap4d refuses "+FLAGS \Deleted"; the RFC grammar allows it). RFC 7162 §3.1.3:
// (UNCHANGEDSINCE n) stores only into messages not changed since n and lists the others in
// [MODIFIED set]; with CONDSTORE on, the FETCH responses carry MODSEQ, even after .SILENT.
public sealed class StoreCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID STORE" : "STORE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
        StoreCondition? condition = null;
        if (args.TryList(out var modifiers))
        {
            condition = ParseModifiers(modifiers);
        }

        string item = args.ExpectAtom("store item").ToUpperInvariant();
        var (operation, silent) = item switch
        {
            "FLAGS" => (FlagOperation.Replace, false),
            "FLAGS.SILENT" => (FlagOperation.Replace, true),
            "+FLAGS" => (FlagOperation.Add, false),
            "+FLAGS.SILENT" => (FlagOperation.Add, true),
            "-FLAGS" => (FlagOperation.Remove, false),
            "-FLAGS.SILENT" => (FlagOperation.Remove, true),
            _ => throw new ImapSyntaxException("Invalid store item " + item),
        };
        var flags = args.TryList(out var list) ? FlagArgs.Read(list) : FlagArgs.Read(args);
        args.ExpectEnd();
        if (condition is not null)
        {
            CondStore.Enable(context);
        }

        if (selected.ReadOnly)
        {
            return ValueTask.FromResult(CommandResult.No("Mailbox is read-only", "READ-ONLY"));
        }

        var uids = selected.Resolve(set, byUid).Where(u => !selected.IsExpungedPending(u)).ToList();
        var changed = selected.Mailbox.Store(uids, operation, flags, condition);
        var modified = condition?.Modified.ToHashSet() ?? [];
        if (!silent)
        {
            // Every message of the set is reported with its flags, changed or not (RFC 3501 §6.4.6),
            // except those UNCHANGEDSINCE left alone.
            int messageHint = 0, sequenceHint = 0;
            foreach (uint uid in uids)
            {
                if (!modified.Contains(uid) && selected.Find(uid, ref messageHint) is { } info)
                {
                    selected.WriteFetchFlags(context.Writer, selected.SequenceOf(uid, ref sequenceHint), info, includeUid: byUid);
                }
            }
        }
        else if (selected.ReportModSeq)
        {
            // RFC 7162 §3.1.3: .SILENT still tells a CONDSTORE client the new MODSEQ of what changed.
            int sequenceHint = 0;
            foreach (var info in changed)
            {
                var writer = context.Writer.Untagged().Number(selected.SequenceOf(info.Uid, ref sequenceHint)).Atom("FETCH").BeginList();
                if (byUid || selected.ReportVanished)
                {
                    writer.Atom("UID").Number(info.Uid);
                }

                SelectedMailbox.WriteModSeq(writer, info);
                writer.EndList().EndLine();
            }
        }

        if (modified.Count > 0)
        {
            var numbers = modified.Select(uid => byUid ? uid : (uint)selected.SequenceOf(uid));
            string code = "MODIFIED " + SequenceSet.FromNumbers(numbers);
            return ValueTask.FromResult(CommandResult.Ok("Conditional STORE failed", code));
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }

    /// <summary>RFC 7162 store-modifiers: UNCHANGEDSINCE n.</summary>
    private static StoreCondition ParseModifiers(ArgReader modifiers)
    {
        StoreCondition? condition = null;
        if (modifiers.AtEnd)
        {
            throw new ImapSyntaxException("Empty store modifier list");
        }

        while (!modifiers.AtEnd)
        {
            string modifier = modifiers.ExpectAtom("store modifier").ToUpperInvariant();
            if (modifier != "UNCHANGEDSINCE" || condition is not null)
            {
                throw new ImapSyntaxException("Invalid store modifier " + modifier);
            }

            condition = new StoreCondition(CondStore.ExpectModSeq(modifiers));
        }

        return condition!;
    }
}
