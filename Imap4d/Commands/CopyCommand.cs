using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

// RFC 3501 §6.4.7 COPY / UID COPY with COPYUID (RFC 4315), and RFC 6851 MOVE / UID MOVE.
public sealed class CopyCommand(bool byUid, bool move) : IImapCommand
{
    public string Name => (byUid ? "UID " : "") + (move ? "MOVE" : "COPY");

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) => move ? ["MOVE"] : [];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var set = args.ExpectSequenceSet();
        string name = args.ExpectMailbox();
        args.ExpectEnd();
        if (move && selected.ReadOnly)
        {
            return ValueTask.FromResult(CommandResult.No("Mailbox is read-only", "READ-ONLY"));
        }

        var uids = selected.Resolve(set, byUid).Where(u => selected.Find(u) is not null).ToList();
        var store = context.Session.RequireStore();
        IMailbox target;
        try
        {
            target = store.Open(name, readOnly: true);
        }
        catch (StorageException e) when (e.Error == StorageError.NotFound)
        {
            // No TRYCREATE for a name CREATE would refuse.
            return ValueTask.FromResult(MailboxNameCheck.RefuseNew(name) ?? CommandResult.No("Mailbox does not exist", "TRYCREATE"));
        }

        IReadOnlyList<(uint Source, uint Target)> map;
        uint validity;
        using (target)
        {
            if (!move || !store.SameQuotaRoots(selected.Mailbox.Name, name))
            {
                store.CheckQuota(name, uids.Sum(u => selected.Find(u)!.Size), uids.Count); // RFC 9208 [OVERQUOTA]
            }

            try
            {
                map = selected.Mailbox.CopyTo(uids, target);
            }
            catch (StorageException e) when (e.Error == StorageError.NotFound)
            {
                // Another session expunged a source message since this one last synced (RFC 2180
                // §4.4.1 lets COPY fail then); RFC 5530 names the reason, as Dovecot does.
                return ValueTask.FromResult(CommandResult.No("Some of the requested messages no longer exist", "EXPUNGEISSUED"));
            }

            target.Checkpoint();
            validity = target.UidValidity;
        }

        string? copyUid = map.Count == 0
            ? null
            : $"COPYUID {validity} {SequenceSet.FromNumbers(map.Select(p => p.Source))} {SequenceSet.FromNumbers(map.Select(p => p.Target))}";
        if (!move)
        {
            return ValueTask.FromResult(CommandResult.Ok(Name + " Completed", copyUid));
        }

        if (copyUid is not null)
        {
            context.Writer.UntaggedStatus("OK", copyUid, "Moved");
        }

        var copied = map.Select(p => p.Source).ToList();
        selected.Mailbox.Store(copied, FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        var expunged = selected.Mailbox.Expunge(copied);
        selected.Mailbox.Checkpoint();
        selected.AnnounceExpunges(context.Writer, expunged);
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
