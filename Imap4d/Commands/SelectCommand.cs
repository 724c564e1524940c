using Imap4d.Commands.List;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage.ModSeq;

namespace Imap4d.Commands;

// RFC 3501 §6.3.1 SELECT and §6.3.2 EXAMINE. A failed SELECT leaves no mailbox selected.
// In IMAP4rev2 (RFC 9051 §6.3.2) also the mailbox's LIST line and [CLOSED] for the one it replaces.
// RFC 7162: the (CONDSTORE) parameter turns CONDSTORE on; (QRESYNC (uidvalidity modseq
// [known-uids [(seq-set uid-set)]])) after ENABLE QRESYNC answers with what changed since.
public sealed class SelectCommand(bool examine) : IImapCommand
{
    public string Name => examine ? "EXAMINE" : "SELECT";

    public SessionStates AllowedIn => SessionStates.AfterLogin;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        examine ? [] : [CondStore.Name, CondStore.QResync];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        string name = args.ExpectMailbox();
        bool condStore = false;
        QResyncParameters? qresync = null;
        if (args.TryList(out var parameters))
        {
            while (!parameters.AtEnd)
            {
                string parameter = parameters.ExpectAtom("select parameter").ToUpperInvariant();
                switch (parameter)
                {
                    case CondStore.Name:
                        condStore = true;
                        break;
                    case CondStore.QResync when CondStore.IsQResyncEnabled(context.Session):
                        qresync = QResyncParameters.Parse(parameters.ExpectList("QRESYNC parameters"));
                        break;
                    case CondStore.QResync:
                        throw new ImapSyntaxException("QRESYNC is not enabled");
                    default:
                        throw new ImapSyntaxException("Unknown select parameter " + parameter);
                }
            }
        }

        args.ExpectEnd();
        bool imap4rev2 = Imap4Rev2.IsEnabled(context.Session);
        if (context.Session.Selected is not null && (CondStore.IsQResyncEnabled(context.Session) || imap4rev2))
        {
            // RFC 7162 §3.2.11, RFC 9051 §6.3.2: the client learns where the old mailbox's responses end.
            context.Session.Deselect();
            context.Writer.UntaggedStatus("OK", "CLOSED", "Previous mailbox closed");
        }

        context.Session.Deselect();
        if (condStore)
        {
            context.Session.Enabled.Add(CondStore.Name);
        }

        // RFC 9051 §6.3.2: the mailbox's LIST line (asked first: nothing is open yet if it fails).
        var listed = imap4rev2 ? context.Session.RequireStore().Describe(name) : null;
        var mailbox = context.Session.RequireStore().Open(name, readOnly: examine);
        var selected = new SelectedMailbox(mailbox)
        {
            ReportModSeq = CondStore.IsEnabled(context.Session),
            ReportVanished = CondStore.IsQResyncEnabled(context.Session),
            IsImap4Rev2 = imap4rev2,
        };
        selected.WriteSelectResponses(context.Writer);
        if (listed is not null)
        {
            ListResponse.Write(context, "LIST", listed);
        }

        if (selected.ReportModSeq)
        {
            CondStore.WriteHighestModSeq(context.Writer, mailbox);
        }

        WriteMailboxId(context, name);
        context.Session.Selected = selected;
        context.Session.State = SessionState.Selected;
        if (qresync is not null && qresync.UidValidity == mailbox.UidValidity && mailbox.PersistentModSeq)
        {
            qresync.WriteChanges(context.Writer, selected);
        }

        string code = mailbox.ReadOnly ? "READ-ONLY" : "READ-WRITE";
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed", code));
    }

    /// <summary>The QRESYNC select parameter (RFC 7162 §3.2.5).</summary>
    private sealed class QResyncParameters
    {
        public uint UidValidity { get; private init; }

        public ulong ModSeq { get; private init; }

        public SequenceSet? KnownUids { get; private init; }

        public (SequenceSet Sequences, SequenceSet Uids)? SequenceMatch { get; private init; }

        public static QResyncParameters Parse(ArgReader list)
        {
            uint validity = list.ExpectNonZeroNumber("uidvalidity");
            ulong modSeq = CondStore.ExpectModSeq(list, allowZero: false);
            SequenceSet? known = null;
            (SequenceSet, SequenceSet)? match = null;
            if (!list.AtEnd && !(list.Peek() is ListArg))
            {
                known = list.ExpectSequenceSet();
            }

            if (list.TryList(out var pair))
            {
                var sequences = pair.ExpectSequenceSet();
                var uids = pair.ExpectSequenceSet();
                pair.ExpectEnd();
                VanishedUids.CheckMatch(sequences, uids);
                match = (sequences, uids);
            }

            list.ExpectEnd();
            if (known is { IsSavedResult: true } || match is { Item1.IsSavedResult: true } || match is { Item2.IsSavedResult: true })
            {
                throw new ImapSyntaxException("$ is not allowed here");
            }

            return new QResyncParameters { UidValidity = validity, ModSeq = modSeq, KnownUids = known, SequenceMatch = match };
        }

        /// <summary>
        /// After the usual SELECT responses: <c>* VANISHED (EARLIER)</c> for what was expunged since
        /// the client's MODSEQ, then a FETCH (UID FLAGS MODSEQ) for every message changed since then.
        /// </summary>
        public void WriteChanges(ResponseWriter writer, SelectedMailbox selected)
        {
            var within = KnownUids is null ? null : VanishedUids.FromSequenceSet(KnownUids, selected);
            uint floor = SequenceMatch is { } m ? VanishedUids.MatchFloor(m.Sequences, m.Uids, selected) : 0;
            var vanished = VanishedUids.Since(selected, ModSeq, within, floor);
            if (!vanished.IsEmpty)
            {
                writer.Untagged().Atom("VANISHED").BeginList().Atom("EARLIER").EndList().Atom(vanished.ToString()).EndLine();
            }

            if (ModSeq >= selected.Mailbox.HighestModSeq)
            {
                return; // nothing changed since: no need to look at any message
            }

            var messages = selected.Mailbox.Messages;
            var indexed = messages as Storage.IUidIndexedList;
            for (int i = 0; i < messages.Count; i++)
            {
                if (indexed is not null && indexed.ModSeqAt(i) <= ModSeq)
                {
                    continue; // without a MessageInfo for each unchanged message
                }

                var info = messages[i];
                if (info.ModSeq > ModSeq && (within is null || within.Contains(info.Uid)))
                {
                    selected.WriteFetchFlags(writer, i + 1, info, includeUid: true);
                }
            }
        }
    }

    /// <summary>RFC 8474: "* OK [MAILBOXID (id)]"; left out when the id cannot be kept (no usable state directory).</summary>
    private static void WriteMailboxId(CommandContext context, string name)
    {
        try
        {
            context.Writer.UntaggedStatus("OK", $"MAILBOXID ({context.Session.RequireStore().MailboxId(name)})", "Ok");
        }
        catch (Storage.StorageException)
        {
        }
    }
}
