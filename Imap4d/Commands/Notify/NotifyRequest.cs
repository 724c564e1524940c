using Imap4d.Protocol;

namespace Imap4d.Commands.Notify;

/// <summary>
/// A parsed NOTIFY SET (RFC 5465 §3.1, §8): the events wanted for the selected mailbox (with
/// MessageNew's fetch attributes and whether expunges may come at any time), the groups for
/// other mailboxes, and whether STATUS is sent for them at once. <see cref="Parse"/> throws
/// <see cref="ImapSyntaxException"/> for the BAD cases; <see cref="Unsupported"/> holds the
/// events to refuse with NO [BADEVENT].
/// </summary>
internal sealed class NotifyRequest
{
    private static readonly (string Name, NotifyEvents Event)[] Names =
    [
        ("MessageNew", NotifyEvents.MessageNew),
        ("MessageExpunge", NotifyEvents.MessageExpunge),
        ("FlagChange", NotifyEvents.FlagChange),
        ("AnnotationChange", NotifyEvents.AnnotationChange),
        ("MailboxName", NotifyEvents.MailboxName),
        ("SubscriptionChange", NotifyEvents.SubscriptionChange),
        ("MailboxMetadataChange", NotifyEvents.MailboxMetadataChange),
        ("ServerMetadataChange", NotifyEvents.ServerMetadataChange),
    ];

    public bool SendStatus { get; private init; }

    /// <summary>True when SELECTED or SELECTED-DELAYED was given (even with NONE).</summary>
    public bool SelectedGiven { get; private set; }

    /// <summary>The events for the selected mailbox; None when not given (the same as SELECTED NONE, §3.1).</summary>
    public NotifyEvents SelectedEvents { get; private set; }

    /// <summary>SELECTED (not -DELAYED): expunges are sent even during commands that use sequence numbers (§6.1.1).</summary>
    public bool ImmediateExpunge { get; private set; }

    /// <summary>What MessageNew on the selected mailbox fetches for each new message; null for nothing beyond EXISTS.</summary>
    public FetchPlan? NewMessageFetch { get; private set; }

    public List<NotifyFilter> Filters { get; } = [];

    /// <summary>Events asked for that this server does not report.</summary>
    public NotifyEvents Unsupported { get; private set; }

    /// <summary>The events of every group together.</summary>
    public NotifyEvents AllEvents => Filters.Aggregate(SelectedEvents, (all, f) => all | f.Events);

    /// <summary>"MessageNew MessageExpunge ..." for BADEVENT: the events this server supports.</summary>
    public static string SupportedNames =>
        string.Join(' ', Names.Where(n => (NotifyEvents.Supported & n.Event) != 0).Select(n => n.Name));

    /// <summary>Parses what follows "NOTIFY SET".</summary>
    public static NotifyRequest Parse(ArgReader args)
    {
        var request = new NotifyRequest { SendStatus = args.TryAtom("STATUS") };
        if (args.AtEnd)
        {
            throw new ImapSyntaxException("Missing event groups");
        }

        while (!args.AtEnd)
        {
            request.ParseGroup(args.ExpectList("event group"), args.Utf8Names);
        }

        return request;
    }

    private void ParseGroup(ArgReader group, bool utf8Names)
    {
        string filter = group.ExpectAtom("mailbox filter").ToUpperInvariant();
        bool selected = filter is "SELECTED" or "SELECTED-DELAYED";
        NotifyFilterKind kind = default;
        var names = new List<string>();
        if (!selected)
        {
            kind = filter switch
            {
                "PERSONAL" => NotifyFilterKind.Personal,
                "INBOXES" => NotifyFilterKind.Inboxes,
                "SUBSCRIBED" => NotifyFilterKind.Subscribed,
                "SUBTREE" => NotifyFilterKind.Subtree,
                "MAILBOXES" => NotifyFilterKind.Mailboxes,
                _ => throw new ImapSyntaxException("Unknown mailbox filter " + filter),
            };
            if (kind is NotifyFilterKind.Subtree or NotifyFilterKind.Mailboxes)
            {
                ReadNames(group, names, utf8Names);
            }
        }
        else if (SelectedGiven)
        {
            throw new ImapSyntaxException("Only one of SELECTED and SELECTED-DELAYED may be given");
        }

        var events = NotifyEvents.None;
        FetchPlan? fetch = null;
        if (!group.TryAtom("NONE"))
        {
            var list = group.ExpectList("events");
            if (list.AtEnd)
            {
                throw new ImapSyntaxException("Empty event list");
            }

            while (!list.AtEnd)
            {
                string name = list.ExpectAtom("event");
                var e = Names.FirstOrDefault(n => n.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Event;
                events |= e == NotifyEvents.None ? NotifyEvents.Unknown : e;
                if (e == NotifyEvents.MessageNew && list.Peek() is ListArg attributes)
                {
                    list.ExpectAny();
                    // Fetch attributes only mean something for the selected mailbox (others get STATUS).
                    fetch = FetchPlan.Parse(new ArgReader([attributes]), byUid: true);
                }
            }
        }

        group.ExpectEnd();
        Check(events, selected);
        Unsupported |= events & ~NotifyEvents.Supported;
        if (selected)
        {
            SelectedGiven = true;
            SelectedEvents = events;
            ImmediateExpunge = filter == "SELECTED";
            NewMessageFetch = fetch;
        }
        else
        {
            Filters.Add(new NotifyFilter(kind, names, events));
        }
    }

    private static void ReadNames(ArgReader group, List<string> names, bool utf8Names)
    {
        if (group.TryList(out var list))
        {
            var reader = new ArgReader(ListItems(list)) { Utf8Names = utf8Names };
            while (!reader.AtEnd)
            {
                names.Add(reader.ExpectMailbox());
            }

            if (names.Count == 0)
            {
                throw new ImapSyntaxException("Empty mailbox list");
            }
        }
        else
        {
            names.Add(group.ExpectMailbox());
        }
    }

    private static List<ImapArg> ListItems(ArgReader list)
    {
        var items = new List<ImapArg>();
        while (!list.AtEnd)
        {
            items.Add(list.ExpectAny());
        }

        return items;
    }

    /// <summary>The composition rules of §5 and §6.1, which a client breaks with BAD.</summary>
    private static void Check(NotifyEvents events, bool selected)
    {
        const NotifyEvents newOrExpunge = NotifyEvents.MessageNew | NotifyEvents.MessageExpunge;
        if ((events & newOrExpunge) != 0 && (events & newOrExpunge) != newOrExpunge)
        {
            throw new ImapSyntaxException("MessageNew and MessageExpunge must be given together");
        }

        if ((events & (NotifyEvents.FlagChange | NotifyEvents.AnnotationChange)) != 0 && (events & newOrExpunge) != newOrExpunge)
        {
            throw new ImapSyntaxException("FlagChange and AnnotationChange need MessageNew and MessageExpunge");
        }

        if (selected && (events & ~(NotifyEvents.MessageEvents | NotifyEvents.Unknown)) != 0)
        {
            throw new ImapSyntaxException("Only message events may be given for the selected mailbox");
        }
    }
}
