using System.Runtime.CompilerServices;
using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// What SORT and THREAD have worked out for one mailbox: each message's <see cref="SortRecord"/>
/// and the rank tables of the string keys (<see cref="SortRanks"/>). A mailbox on disk keeps
/// its state in the process across selections (keyed by its FETCH cache file and UIDVALIDITY,
/// each record checked against the message's fingerprint before use), so a client that selects
/// again (or EXAMINEs after SELECT) sorts without reading a header. A selection holds its
/// mailbox's state; the process holds the states of the two mailboxes used last only for a moment
/// after their last use (<see cref="Release"/>), so a state goes soon after the mailbox's last
/// selection. A mailbox without a file keeps its state for one selection.
/// </summary>
internal sealed class MailboxSortState
{
    private const int KeptMailboxes = 2;

    private static readonly ConditionalWeakTable<SelectedMailbox, MailboxSortState> PerSelection = new();
    private static readonly List<Kept> Recent = [];

    /// <summary>Records by UID (a record may be for older content under a reused UID: check its fingerprint).</summary>
    public Dictionary<uint, SortRecord> Records { get; } = [];

    public Dictionary<SortKey, SortRankTable> Ranks { get; } = [];

    /// <summary>The collation the records' string keys were made with.</summary>
    private Collation _collation = Collation.Default;

    /// <summary>Forgets every record and rank when <paramref name="collation"/> is not the one they were made with.</summary>
    public void UseCollation(Collation collation)
    {
        if (collation != _collation)
        {
            Records.Clear();
            Ranks.Clear();
            _collation = collation;
        }
    }

    /// <summary>Callers hold this lock while they read or change the state (sessions may share a process).</summary>
    public object Lock => Records;

    public static MailboxSortState For(SelectedMailbox selected)
    {
        string? file = selected.Mailbox.FetchCacheFile;
        if (file is null)
        {
            return PerSelection.GetValue(selected, _ => new MailboxSortState());
        }

        uint validity = selected.Mailbox.UidValidity;
        MailboxSortState state;
        lock (Recent)
        {
            int at = Recent.FindIndex(r => r.File == file && r.UidValidity == validity);
            var found = at >= 0 ? Recent[at].State : null;
            state = found ?? new MailboxSortState();
            if (at >= 0)
            {
                Recent.RemoveAt(at);
            }

            Recent.Insert(0, new Kept(file, validity, state));
            // Beyond the last few mailboxes, only what a selection still holds stays findable.
            for (int i = KeptMailboxes; i < Recent.Count; i++)
            {
                Recent[i].Strong = null;
            }

            Recent.RemoveAll(r => r.State is null);
        }

        // The selection holds the state: it lives as long as a session has the mailbox selected.
        PerSelection.AddOrUpdate(selected, state);
        return state;
    }

    /// <summary>
    /// Stops holding the states not used for <paramref name="unusedFor"/>: a state stays findable
    /// while a selection holds it and goes with the mailbox's last selection. Returns the number of records no longer held.
    /// </summary>
    public static int Release(TimeSpan unusedFor)
    {
        long now = Environment.TickCount64;
        int released = 0;
        lock (Recent)
        {
            foreach (var kept in Recent)
            {
                if (kept.Strong is { } state && now - kept.LastUseMs >= (long)unusedFor.TotalMilliseconds)
                {
                    kept.Strong = null;
                    released += state.Records.Count;
                }
            }

            Recent.RemoveAll(r => r.State is null);
        }

        return released;
    }

    /// <summary>Records of the states no longer held but still alive: a selection had them, and may have ended.</summary>
    public static int UnheldRecords()
    {
        lock (Recent)
        {
            return Recent.Where(r => r.Strong is null).Sum(r => r.State?.Records.Count ?? 0);
        }
    }

    /// <summary>Forgets the states kept across selections (a process whose sessions have all ended); a selection holding one keeps it.</summary>
    public static void ForgetRecent()
    {
        lock (Recent)
        {
            Recent.Clear();
        }
    }

    /// <summary>A mailbox's state, held for a moment after its last use and then only weakly.</summary>
    private sealed class Kept(string file, uint uidValidity, MailboxSortState state)
    {
        private readonly WeakReference<MailboxSortState> _weak = new(state);

        public string File { get; } = file;

        public uint UidValidity { get; } = uidValidity;

        public MailboxSortState? Strong { get; set; } = state;

        public long LastUseMs { get; } = Environment.TickCount64;

        public MailboxSortState? State => Strong ?? (_weak.TryGetTarget(out var s) ? s : null);
    }

    /// <summary>Mailboxes whose state is held across selections (tests).</summary>
    public static int RecentCount
    {
        get
        {
            lock (Recent)
            {
                return Recent.Count(r => r.Strong is not null);
            }
        }
    }

    /// <summary>Drops the records of messages no longer in the mailbox once they are as many as the live ones.</summary>
    public void Prune(SelectedMailbox selected)
    {
        int live = selected.Mailbox.Messages.Count;
        if (Records.Count <= 2 * live + 1000)
        {
            return;
        }

        var keep = selected.Mailbox.Messages.Select(m => m.Uid).ToHashSet();
        foreach (uint uid in Records.Keys.Where(u => !keep.Contains(u)).ToList())
        {
            Records.Remove(uid);
        }
    }
}
