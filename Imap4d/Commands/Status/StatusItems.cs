using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.Status;

/// <summary>
/// The status items of STATUS and of LIST RETURN (STATUS (...)) (RFC 5819): parsing the list
/// and writing one "* STATUS name (...)" line. SIZE (RFC 8438) is the sum of RFC822.SIZE; it is
/// asked of the store only when wanted, as it may cost more than the counts. DELETED (the messages
/// marked \Deleted, RFC 9051 §6.3.11) exists only in IMAP4rev2, and also costs a look at the flags.
/// </summary>
public sealed class StatusItems
{
    private static readonly string[] Known = ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "HIGHESTMODSEQ", "MAILBOXID", "DELETED", "DELETED-STORAGE"];

    private readonly List<string> _items;

    private StatusItems(List<string> items)
    {
        _items = items;
    }

    public IReadOnlyList<string> Items => _items;

    /// <summary>The items of a parenthesized list; BAD for an unknown item or an empty list.</summary>
    /// <param name="imap4rev2">The session speaks IMAP4rev2, which adds DELETED.</param>
    public static StatusItems Parse(ArgReader list, bool imap4rev2)
    {
        var wanted = new List<string>();
        while (!list.AtEnd)
        {
            string item = list.ExpectAtom("status item").ToUpperInvariant();
            if (!Known.Contains(item) && !(imap4rev2 && item == "DELETED"))
            {
                throw new ImapSyntaxException("Unknown status item " + item);
            }

            wanted.Add(item);
        }

        if (wanted.Count == 0)
        {
            throw new ImapSyntaxException("Missing status items");
        }

        return new StatusItems(wanted);
    }

    /// <summary>Writes "* STATUS name (...)"; throws <see cref="StorageException"/> before writing anything when the store cannot answer.</summary>
    public void Write(CommandContext context, string name)
    {
        if (context.Session.Selected is { } selected && selected.Mailbox.Name == name)
        {
            // The selected mailbox answers with its own pending changes written first.
            selected.Mailbox.Checkpoint();
        }

        if (_items.Contains("HIGHESTMODSEQ"))
        {
            CondStore.Enable(context); // RFC 7162 §3.1: a CONDSTORE-enabling command
        }

        var store = context.Session.RequireStore();
        var status = store.Status(name);
        ulong size = _items.Contains("SIZE") ? store.Size(name) : 0;
        string? id = _items.Contains("MAILBOXID") ? store.MailboxId(name) : null;
        var deleted = _items.Contains("DELETED") || _items.Contains("DELETED-STORAGE") ? DeletedIn(context, name, status) : default;
        var writer = context.Writer.Untagged().Atom("STATUS").AString(Utf8Accept.NameOut(context, name)).BeginList();
        foreach (string item in _items)
        {
            writer.Atom(item);
            if (item == "MAILBOXID")
            {
                writer.BeginList().Atom(id!).EndList();
                continue;
            }

            if (item == "SIZE")
            {
                writer.Atom(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }

            if (item is "DELETED" or "DELETED-STORAGE")
            {
                writer.Number(item == "DELETED" ? deleted.Messages : deleted.Bytes);
                continue;
            }

            if (item == "HIGHESTMODSEQ")
            {
                writer.Atom(CondStore.Format(status.HighestModSeq));
                continue;
            }

            writer.Number(item switch
            {
                "MESSAGES" => status.Messages,
                "RECENT" => status.Recent,
                "UIDNEXT" => status.UidNext,
                "UIDVALIDITY" => status.UidValidity,
                _ => status.Unseen,
            });
        }

        writer.EndList().EndLine();
    }

    /// <summary>
    /// STATUS DELETED (RFC 9051) and DELETED-STORAGE (RFC 9208 §4.2): the messages flagged \Deleted
    /// and the sum of their RFC822.SIZE, which EXPUNGE would free.
    /// </summary>
    private static (long Messages, long Bytes) DeletedIn(CommandContext context, string name, MailboxStatus status)
    {
        if (status.Messages == 0)
        {
            return (0, 0); // also an INBOX not created yet, which cannot be opened
        }

        var selected = context.Session.Selected;
        if (selected is not null && selected.Mailbox.Name == name)
        {
            return Count(selected.Mailbox.Messages);
        }

        using var mailbox = context.Session.RequireStore().Open(name, readOnly: true);
        return Count(mailbox.Messages);
    }

    private static (long Messages, long Bytes) Count(IReadOnlyList<MessageInfo> messages)
    {
        long count = 0;
        long bytes = 0;
        foreach (var message in messages)
        {
            if (message.Flags.Has(MessageFlags.Deleted))
            {
                count++;
                bytes += message.Size;
            }
        }

        return (count, bytes);
    }
}
