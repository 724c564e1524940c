using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.4.6 STORE and UID STORE. Flags may come with or without parentheses
// (GNU imap4d refuses "+FLAGS \Deleted"; the RFC grammar allows it).
public sealed class StoreCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID STORE" : "STORE";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
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
        if (selected.ReadOnly)
        {
            return ValueTask.FromResult(CommandResult.No("Mailbox is read-only", "READ-ONLY"));
        }

        var uids = selected.Resolve(set, byUid).Where(u => !selected.IsExpungedPending(u)).ToList();
        selected.Mailbox.Store(uids, operation, flags);
        if (!silent)
        {
            // Every message of the set is reported with its flags, changed or not (RFC 3501 §6.4.6).
            foreach (uint uid in uids)
            {
                if (selected.Find(uid) is { } info)
                {
                    selected.WriteFetchFlags(context.Writer, selected.SequenceOf(uid), info, includeUid: byUid);
                }
            }
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
