using System.Runtime.CompilerServices;
using Imap4d.Session;

namespace Imap4d.Commands.Sort;

/// <summary>
/// What SORT and THREAD have worked out for one mailbox: each message's <see cref="SortRecord"/>
/// and the rank tables of the string keys (<see cref="SortRanks"/>). A mailbox on disk keeps
/// its state in the process across selections (keyed by its FETCH cache file and UIDVALIDITY,
/// each record checked against the message's fingerprint before use), so a client that selects
/// again (or EXAMINEs after SELECT) sorts without reading a header; the two mailboxes used
/// last are kept. A mailbox without a file keeps its state for one selection.
/// </summary>
internal sealed class MailboxSortState
{
    private const int KeptMailboxes = 2;

    private static readonly ConditionalWeakTable<SelectedMailbox, MailboxSortState> PerSelection = new();
    private static readonly List<(string File, uint UidValidity, MailboxSortState State)> Recent = [];

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
        lock (Recent)
        {
            int at = Recent.FindIndex(r => r.File == file && r.UidValidity == validity);
            var state = at >= 0 ? Recent[at].State : new MailboxSortState();
            if (at != 0)
            {
                if (at > 0)
                {
                    Recent.RemoveAt(at);
                }

                Recent.Insert(0, (file, validity, state));
                if (Recent.Count > KeptMailboxes)
                {
                    Recent.RemoveRange(KeptMailboxes, Recent.Count - KeptMailboxes);
                }
            }

            return state;
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
