using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.Search;

/// <summary>
/// A parsed search, ready to run over the selected mailbox: the BODY/TEXT needles are
/// collected so that each message body is read at most once.
/// </summary>
public sealed class SearchProgram
{
    private readonly SearchKey _root;
    private readonly List<BodyNeedle> _bodyNeedles = [];

    private SearchProgram(SearchKey root)
    {
        _root = root;
        Number(root);
    }

    public SearchKey Root => _root;

    public static SearchProgram Compile(SearchKey root) => new(root);

    /// <summary>
    /// Runs the search on every message the client knows, skipping those expunged by others and
    /// not yet announced. Returns the matching messages as (sequence number, UID), ascending.
    /// </summary>
    public IReadOnlyList<(int Sequence, uint Uid)> Run(SelectedMailbox selected, CancellationToken ct)
    {
        var uids = selected.Uids;
        var scope = ScopeOf(selected);
        var hits = new List<(int, uint)>();
        for (int i = 0; i < uids.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            uint uid = uids[i];
            if (!selected.IsExpungedPending(uid) && MatchesUid(selected, uid, i + 1, scope))
            {
                hits.Add((i + 1, uid));
            }
        }

        return hits;
    }

    /// <summary>The UIDs among <paramref name="uids"/> that match, skipping those the client does not know or that are expunged.</summary>
    public List<uint> Matching(SelectedMailbox selected, IEnumerable<uint> uids)
    {
        var scope = ScopeOf(selected);
        var hits = new List<uint>();
        foreach (uint uid in uids)
        {
            int sequence = selected.SequenceOf(uid);
            if (sequence > 0 && !selected.IsExpungedPending(uid) && MatchesUid(selected, uid, sequence, scope))
            {
                hits.Add(uid);
            }
        }

        return hits;
    }

    private SearchScope ScopeOf(SelectedMailbox selected)
    {
        var uids = selected.Uids;
        return new SearchScope(uids.Count, uids.Count == 0 ? 0 : uids[^1], selected.Mailbox.RecentUids, _bodyNeedles,
            _root.Cost >= SearchCost.Header ? selected.Cache : null, selected.SavedResult, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Whether the message of <paramref name="uid"/> is there and matches. ALL (UID SEARCH ALL, what
    /// clients sync with) only asks that it be there: no <see cref="MessageInfo"/> is made for it,
    /// which a driver's list makes on demand (100,000 of them per search of a large mailbox).
    /// </summary>
    private bool MatchesUid(SelectedMailbox selected, uint uid, int sequence, SearchScope scope) =>
        _root is AllKey ? selected.Has(uid) : selected.Find(uid) is { } info && Matches(selected, info, sequence, scope);

    private bool Matches(SelectedMailbox selected, MessageInfo info, int sequence, SearchScope scope)
    {
        using var message = new SearchMessage(selected.Mailbox, info, sequence, scope);
        try
        {
            return _root.Matches(message);
        }
        catch (Exception e) when (e is IOException or StorageException or UnauthorizedAccessException)
        {
            // The message's file went away under us (another process expunged it): no match.
            return false;
        }
    }

    private void Number(SearchKey key)
    {
        if (key is BodyKey body)
        {
            var needle = new BodyNeedle(body.Needle, WithPartHeaders: body.IncludeHeader);
            int index = _bodyNeedles.IndexOf(needle);
            if (index < 0)
            {
                index = _bodyNeedles.Count;
                _bodyNeedles.Add(needle);
            }

            body.NeedleIndex = index;
        }

        foreach (var child in key.Children)
        {
            Number(child);
        }
    }
}
