using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.Notify;

/// <summary>
/// What a NOTIFY SET keeps running (RFC 5465): the mailboxes its filters match, each with the
/// STATUS the client last learnt and an inotify watch on its files (see
/// <see cref="ChangeWatcher"/>), and a snapshot of mailbox names and subscriptions for
/// MailboxName and SubscriptionChange, refreshed when a folder that holds mailboxes or the
/// subscription file changes. <see cref="Deliver"/> runs after every command and, while
/// idling, whenever a watch fires: it sends the selected mailbox's updates (with MessageNew's
/// FETCH), a STATUS for each other mailbox whose counts changed and a LIST for each name
/// created, deleted, renamed, subscribed or unsubscribed. Mailboxes that cannot be watched (the
/// watch limit, a network file system, no inotify) are polled every <see cref="PollInterval"/>;
/// more than <see cref="MaxPolled"/> of them, or more than <see cref="MaxMailboxes"/> in all,
/// is a NOTIFICATIONOVERFLOW.
/// </summary>
internal sealed class NotifyMonitor : IDisposable
{
    private const NotifyEvents CountEvents = NotifyEvents.MessageNew | NotifyEvents.MessageExpunge | NotifyEvents.FlagChange;
    private const NotifyEvents NameEvents = NotifyEvents.MailboxName | NotifyEvents.SubscriptionChange;

    /// <summary>The watch key of the names snapshot (folders holding mailboxes, the subscription file).</summary>
    private static readonly object NamesKey = new();

    private readonly NotifyRequest _request;
    private readonly IMailStore _store;
    private readonly ChangeWatcher? _watcher;
    private readonly NamespaceSettings _namespaces;
    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private Dictionary<string, MailboxInfo> _names = new(StringComparer.Ordinal);
    private HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string> _ids = new Dictionary<string, string>();
    private bool _namesWatched;
    private DateTime _nextPoll = DateTime.MinValue;

    private NotifyMonitor(NotifyRequest request, IMailStore store, ChangeWatcher? watcher, NamespaceSettings namespaces)
    {
        _request = request;
        _store = store;
        _watcher = watcher;
        _namespaces = namespaces;
    }

    /// <summary>More mailboxes than this matched by the filters: NO [NOTIFICATIONOVERFLOW].</summary>
    public static int MaxMailboxes { get; set; } = 1000;

    /// <summary>More mailboxes than this that cannot be watched and must be polled: NOTIFICATIONOVERFLOW.</summary>
    public static int MaxPolled { get; set; } = 100;

    /// <summary>How often mailboxes that cannot be watched are polled (RFC 5465 asks nothing; the issue asks one second).</summary>
    public static TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a change of names is left to settle before the names are listed.</summary>
    public static TimeSpan NameSettleTime { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>At most this many more <see cref="NameSettleTime"/>s for a RENAME whose MAILBOXID has not moved yet.</summary>
    private const int MaxNameSettleRounds = 10;

    /// <summary>The client wants events of the selected mailbox pushed (SELECTED or SELECTED-DELAYED with events).</summary>
    public bool WantsSelected => (_request.SelectedEvents & CountEvents) != 0;

    /// <summary>SELECTED: expunges are sent after any command, also those that use sequence numbers (§6.1.1).</summary>
    public bool ImmediateExpunge => _request.ImmediateExpunge && WantsSelected;

    /// <summary>Something is polled rather than watched: the idle loop must wake every <see cref="PollInterval"/>.</summary>
    public bool NeedsPolling => _tracked.Values.Any(t => !t.Watched) || (WantsNames && !_namesWatched);

    /// <summary>Something is watched: the idle loop waits on the watcher too.</summary>
    public bool UsesWatcher => _tracked.Values.Any(t => t.Watched) || _namesWatched;

    private bool WantsNames => (_request.AllEvents & NameEvents) != 0;

    /// <summary>
    /// Sets up the monitor of a NOTIFY SET; null (nothing set up) when it would watch or poll too
    /// many mailboxes, which the caller refuses with NOTIFICATIONOVERFLOW.
    /// </summary>
    public static NotifyMonitor? Start(CommandContext context, NotifyRequest request)
    {
        var store = context.Session.RequireStore();
        var watcher = request.Filters.Count > 0 || request.SelectedGiven ? context.Session.Watcher : null;
        var monitor = new NotifyMonitor(request, store, watcher, context.Settings.Namespaces);
        monitor.TakeNames();
        if (!monitor.Track(quiet: true))
        {
            monitor.Dispose();
            return null;
        }

        monitor.WatchNames();
        return monitor;
    }

    /// <summary>NOTIFY SET STATUS: a STATUS for each matched mailbox other than the selected one (§3.1).</summary>
    public void WriteInitialStatus(CommandContext context)
    {
        foreach (var (name, tracked) in _tracked)
        {
            if (!IsSelected(context, name) && tracked.Last is { } status)
            {
                bool modSeq = (tracked.Events & NotifyEvents.FlagChange) != 0 || CondStore.IsEnabled(context.Session);
                WriteStatus(context, name, status, ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", .. modSeq ? new[] { "HIGHESTMODSEQ" } : []]);
            }
        }
    }

    /// <summary>
    /// Sends what changed: the selected mailbox's updates when <paramref name="pollSelected"/>
    /// (with MessageNew's FETCH unless <paramref name="ownTarget"/>, the mailbox of the client's
    /// own APPEND, COPY or MOVE, is the selected one, §5.2), then STATUS and LIST for the other
    /// mailboxes (none for <paramref name="ownTarget"/>: the client knows what it added there).
    /// Returns false after a NOTIFICATIONOVERFLOW, when the caller drops the monitor (NOTIFY NONE, §5.8).
    /// </summary>
    public bool Deliver(CommandContext context, bool pollSelected, bool allowExpunge, string? ownTarget, bool ownNameChange)
    {
        var changed = _watcher?.TakeChanged() ?? [];
        if (pollSelected)
        {
            PollSelected(context, allowExpunge, ownAdditions: ownTarget is not null && IsSelected(context, ownTarget));
        }

        if (ownTarget is not null && _tracked.TryGetValue(ownTarget, out var target))
        {
            // Taken now, whether or not its change was seen yet: the event that comes later must
            // not tell the client about its own APPEND, COPY or MOVE (§5).
            ReportStatus(context, ownTarget, target, quiet: true);
        }

        var now = DateTime.UtcNow;
        bool pollDue = now >= _nextPoll;
        if (pollDue)
        {
            _nextPoll = now + PollInterval;
        }

        bool namesChanged = changed.Contains(NamesKey) || ownNameChange || (WantsNames && !_namesWatched && pollDue);
        if (namesChanged && (WantsNames || _request.Filters.Any(f => f.Kind == NotifyFilterKind.Subscribed)))
        {
            if (!ownNameChange && changed.Contains(NamesKey))
            {
                // A CREATE or RENAME is several steps (a maildir's three directories, then its
                // MAILBOXID): let it settle, so the LIST shows the finished mailbox once.
                System.Threading.Thread.Sleep(NameSettleTime);
                changed = [.. changed, .. _watcher!.TakeChanged()];
            }

            ReportNames(context, quiet: ownNameChange);
            if (!Track(quiet: false))
            {
                return Overflow(context);
            }

            WatchNames();
        }

        foreach (var (name, tracked) in _tracked.ToList())
        {
            if ((tracked.Watched && changed.Contains(tracked.Key)) || (!tracked.Watched && pollDue) || (tracked.Watched && !_watcher!.IsWatched(tracked.Key)))
            {
                if (tracked.Watched && !_watcher!.IsWatched(tracked.Key))
                {
                    // The watch went away (queue overflow, directory replaced): set it up again, or poll.
                    tracked.Watched = _watcher.Watch(tracked.Key, SourcesOf(name));
                }

                // The client's own APPEND, COPY or MOVE into another mailbox is not news to it (§5);
                // what others did elsewhere meanwhile is.
                ReportStatus(context, name, tracked, quiet: name == ownTarget);
            }
        }

        if (_tracked.Values.Count(t => !t.Watched) > MaxPolled)
        {
            return Overflow(context);
        }

        return true;
    }

    public void Dispose()
    {
        if (_watcher is null)
        {
            return;
        }

        foreach (var tracked in _tracked.Values)
        {
            _watcher.Unwatch(tracked.Key);
        }

        _watcher.Unwatch(NamesKey);
    }

    private bool Overflow(CommandContext context)
    {
        context.Writer.UntaggedStatus("OK", "NOTIFICATIONOVERFLOW", "Too many mailboxes to watch; NOTIFY is off");
        Dispose();
        return false;
    }

    private void PollSelected(CommandContext context, bool allowExpunge, bool ownAdditions)
    {
        var selected = context.Session.State == SessionState.Selected ? context.Session.Selected : null;
        if (selected is null)
        {
            return;
        }

        uint last = selected.Count > 0 ? selected.Uids[^1] : 0;
        context.PollSelected(allowExpunge);
        if (_request.NewMessageFetch is not { } plan || ownAdditions || (_request.SelectedEvents & NotifyEvents.MessageNew) == 0)
        {
            return;
        }

        // §5.2: after the EXISTS, a FETCH of what the client asked for, for each new message.
        var uids = selected.Uids;
        for (int i = uids.Count - 1; i >= 0 && uids[i] > last; i--)
        {
            if (i == 0 || uids[i - 1] <= last)
            {
                for (int j = i; j < uids.Count; j++)
                {
                    if (selected.Find(uids[j]) is { } info)
                    {
                        plan.TryWrite(context.Writer, selected, j + 1, info);
                    }
                }

                break;
            }
        }
    }

    /// <summary>Re-evaluates which mailboxes the filters match, tracking new ones; false when there are too many.</summary>
    private bool Track(bool quiet)
    {
        var wanted = new Dictionary<string, NotifyEvents>(StringComparer.Ordinal);
        foreach (var (name, info) in _names)
        {
            if ((info.Attributes & (MailboxAttributes.Noselect | MailboxAttributes.NonExistent)) != 0)
            {
                continue;
            }

            var events = EventsFor(name) & CountEvents;
            if (events != NotifyEvents.None)
            {
                wanted[name] = events;
            }
        }

        if (wanted.Count > MaxMailboxes)
        {
            return false;
        }

        foreach (var name in _tracked.Keys.Where(n => !wanted.ContainsKey(n)).ToList())
        {
            _watcher?.Unwatch(_tracked[name].Key);
            _tracked.Remove(name);
        }

        foreach (var (name, events) in wanted)
        {
            if (_tracked.TryGetValue(name, out var known))
            {
                known.Events = events;
                continue;
            }

            var tracked = new Tracked(new WatchKey(name), events);
            tracked.Watched = _watcher is not null && _watcher.Watch(tracked.Key, SourcesOf(name));
            tracked.Last = StatusOf(name);
            _tracked[name] = tracked;
        }

        return quiet ? _tracked.Values.Count(t => !t.Watched) <= MaxPolled : true;
    }

    private IReadOnlyList<ChangeSource> SourcesOf(string name)
    {
        try
        {
            return _store.ChangeSources(name);
        }
        catch (StorageException)
        {
            return [];
        }
    }

    private MailboxStatus? StatusOf(string name)
    {
        try
        {
            return _store.Status(name);
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The union of the events of every group that matches <paramref name="name"/>.</summary>
    private NotifyEvents EventsFor(string name)
    {
        var events = NotifyEvents.None;
        foreach (var filter in _request.Filters)
        {
            if (Matches(filter, name))
            {
                events |= filter.Events;
            }
        }

        return events & NotifyEvents.Supported;
    }

    private bool Matches(NotifyFilter filter, string name) => filter.Kind switch
    {
        NotifyFilterKind.Personal or NotifyFilterKind.Inboxes => IsPersonal(name),
        NotifyFilterKind.Subscribed => _subscribed.Contains(name),
        NotifyFilterKind.Mailboxes => filter.Names.Contains(name, StringComparer.Ordinal),
        _ => filter.Names.Any(root => name == root || (name.StartsWith(root, StringComparison.Ordinal) && name.Length > root.Length
            && _names.TryGetValue(name, out var info) && name[root.Length] == info.Delimiter)),
    };

    private bool IsPersonal(string name)
    {
        try
        {
            var path = _store.Resolve(name);
            return path.IsInbox || path.Namespace is null || path.Namespace.Kind == NamespaceKind.Personal;
        }
        catch (StorageException)
        {
            return false;
        }
    }

    private static bool IsSelected(CommandContext context, string name) =>
        context.Session.State == SessionState.Selected && context.Session.Selected?.Mailbox.Name == name;

    /// <summary>A STATUS when the counts changed in a way the mailbox's events cover (§5.1-§5.3).</summary>
    private void ReportStatus(CommandContext context, string name, Tracked tracked, bool quiet)
    {
        var now = StatusOf(name);
        var last = tracked.Last;
        tracked.Last = now;
        if (now is null || last is null || quiet || IsSelected(context, name))
        {
            return;
        }

        bool modSeq = CondStore.IsEnabled(context.Session);
        string[]? items = null;
        if (now.UidValidity != last.UidValidity)
        {
            items = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"];
        }
        else if (now.Messages != last.Messages || now.UidNext != last.UidNext)
        {
            items = ["MESSAGES", "UIDNEXT", "UNSEEN"];
        }
        else if ((tracked.Events & NotifyEvents.FlagChange) != 0 && (now.Unseen != last.Unseen || now.HighestModSeq != last.HighestModSeq))
        {
            items = ["UIDVALIDITY", "UNSEEN"];
            modSeq = true;
        }

        if (items is not null)
        {
            WriteStatus(context, name, now, modSeq ? [.. items, "HIGHESTMODSEQ"] : items);
        }
    }

    private static void WriteStatus(CommandContext context, string name, MailboxStatus status, IReadOnlyList<string> items)
    {
        var writer = context.Writer.Untagged().Atom("STATUS").AString(Utf8Accept.NameOut(context, name)).BeginList();
        foreach (string item in items)
        {
            writer.Atom(item);
            if (item == "HIGHESTMODSEQ")
            {
                writer.Atom(CondStore.Format(status.HighestModSeq));
                continue;
            }

            writer.Number(item switch
            {
                "MESSAGES" => status.Messages,
                "UIDNEXT" => status.UidNext,
                "UIDVALIDITY" => status.UidValidity,
                _ => status.Unseen,
            });
        }

        writer.EndList().EndLine();
    }

    /// <summary>Reads the mailbox names, subscriptions and MAILBOXIDs anew.</summary>
    private void TakeNames()
    {
        var names = new Dictionary<string, MailboxInfo>(StringComparer.Ordinal);
        try
        {
            foreach (var info in _store.List("", "*"))
            {
                names[info.Name] = info;
            }

            if (!names.ContainsKey("INBOX"))
            {
                var inbox = _store.Describe("INBOX");
                if ((inbox.Attributes & MailboxAttributes.NonExistent) == 0)
                {
                    names["INBOX"] = inbox;
                }
            }
        }
        catch (StorageException)
        {
        }

        _names = names;
        _subscribed = new HashSet<string>(_store.Subscriptions, StringComparer.Ordinal);
        _ids = _store.KnownMailboxIds;
    }

    /// <summary>LIST responses for names created, deleted or renamed and subscriptions changed since the last snapshot (§5.4, §5.5).</summary>
    private void ReportNames(CommandContext context, bool quiet)
    {
        var oldNames = _names;
        var oldSubscribed = _subscribed;
        var oldIds = _ids;
        TakeNames();
        if (quiet)
        {
            return;
        }

        var created = _names.Keys.Where(n => !oldNames.ContainsKey(n)).ToList();
        var deleted = oldNames.Keys.Where(n => !_names.ContainsKey(n)).ToList();
        for (int wait = 0; wait < MaxNameSettleRounds && created.Any(n => !_ids.ContainsKey(n)) && deleted.Any(_ids.ContainsKey); wait++)
        {
            // A name gone that still has its MAILBOXID beside a new name without one: a RENAME
            // (or DELETE) half done, its MAILBOXID not moved yet. Waiting lets it show as one
            // LIST with OLDNAME rather than a deletion and a creation.
            System.Threading.Thread.Sleep(NameSettleTime);
            TakeNames();
            created = _names.Keys.Where(n => !oldNames.ContainsKey(n)).ToList();
            deleted = oldNames.Keys.Where(n => !_names.ContainsKey(n)).ToList();
        }
        foreach (string name in created)
        {
            string? oldName = _ids.TryGetValue(name, out string? id)
                ? deleted.FirstOrDefault(d => oldIds.TryGetValue(d, out string? was) && was == id)
                : null;
            if (oldName is not null)
            {
                deleted.Remove(oldName);
            }

            if (Wants(name, NotifyEvents.MailboxName) || (oldName is not null && Wants(oldName, NotifyEvents.MailboxName)))
            {
                WriteList(context, _names[name], oldName);
            }
        }

        foreach (string name in deleted)
        {
            if (Wants(name, NotifyEvents.MailboxName))
            {
                WriteList(context, oldNames[name] with { Attributes = MailboxAttributes.NonExistent }, null);
            }
        }

        foreach (string name in _subscribed.Union(oldSubscribed).Where(n => _subscribed.Contains(n) != oldSubscribed.Contains(n)))
        {
            if (Wants(name, NotifyEvents.SubscriptionChange) || Wants(name, NotifyEvents.SubscriptionChange, oldSubscribed))
            {
                var info = _names.TryGetValue(name, out var known) ? known : new MailboxInfo(name, DelimiterOf(name), MailboxAttributes.NonExistent);
                WriteList(context, info, null);
            }
        }
    }

    private bool Wants(string name, NotifyEvents events, HashSet<string>? subscribed = null)
    {
        foreach (var filter in _request.Filters)
        {
            bool matches = filter.Kind == NotifyFilterKind.Subscribed && subscribed is not null ? subscribed.Contains(name) : Matches(filter, name);
            if (matches && (filter.Events & events) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private char DelimiterOf(string name)
    {
        try
        {
            return _store.Resolve(name).Delimiter;
        }
        catch (StorageException)
        {
            return '/';
        }
    }

    /// <summary>"* LIST (attributes) delimiter name", with \Subscribed when it is, and OLDNAME after a rename (RFC 5258 extended data).</summary>
    private void WriteList(CommandContext context, MailboxInfo info, string? oldName)
    {
        var writer = context.Writer.Untagged().Atom("LIST").BeginList();
        var attributes = info.Attributes & ~MailboxAttributes.Subscribed;
        foreach (var (flag, text) in AttributeNames)
        {
            if ((attributes & flag) != 0)
            {
                writer.Atom(text);
            }
        }

        if (_subscribed.Contains(info.Name))
        {
            writer.Atom(@"\Subscribed");
        }

        writer.EndList().String(info.Delimiter.ToString()).AString(Utf8Accept.NameOut(context, info.Name));
        if (oldName is not null)
        {
            writer.BeginList().String("OLDNAME").BeginList().AString(Utf8Accept.NameOut(context, oldName)).EndList().EndList();
        }

        writer.EndLine();
    }

    private static readonly (MailboxAttributes Flag, string Text)[] AttributeNames =
    [
        (MailboxAttributes.NonExistent, @"\NonExistent"),
        (MailboxAttributes.Noinferiors, @"\Noinferiors"),
        (MailboxAttributes.Noselect, @"\Noselect"),
        (MailboxAttributes.HasChildren, @"\HasChildren"),
        (MailboxAttributes.HasNoChildren, @"\HasNoChildren"),
    ];

    /// <summary>Watches the folders that hold the snapshot's mailboxes and the subscription file (names only).</summary>
    private void WatchNames()
    {
        if (_watcher is null || !(WantsNames || _request.Filters.Any(f => f.Kind == NotifyFilterKind.Subscribed)))
        {
            _namesWatched = false;
            return;
        }

        var sources = new List<ChangeSource>();
        if (_store.SubscriptionSource is { } subscriptions)
        {
            sources.Add(subscriptions);
        }

        if (_store.MailboxIdSource is { } ids)
        {
            sources.Add(ids);
        }

        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in _names.Keys)
        {
            try
            {
                string path = _store.Resolve(name).FileSystemPath;
                folders.Add(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/");
                if (Directory.Exists(path))
                {
                    folders.Add(Path.GetFullPath(path)); // its subfolders
                }
            }
            catch (StorageException)
            {
            }
        }

        sources.AddRange(folders.Take(32).Select(f => new ChangeSource(f, NamesOnly: true)));
        _namesWatched = folders.Count <= 32 && _watcher.Watch(NamesKey, sources);
    }

    /// <summary>A watcher key for one mailbox (distinct from the selected mailbox's key).</summary>
    private sealed record WatchKey(string Name);

    private sealed class Tracked(WatchKey key, NotifyEvents events)
    {
        public WatchKey Key { get; } = key;

        public NotifyEvents Events { get; set; } = events;

        public bool Watched { get; set; }

        public MailboxStatus? Last { get; set; }
    }
}
