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
        var scope = new SearchScope(uids.Count, uids.Count == 0 ? 0 : uids[^1], selected.Mailbox.RecentUids, _bodyNeedles,
            _root.Cost >= SearchCost.Header ? selected.Cache : null, selected.SavedResult, DateTimeOffset.UtcNow);
        var hits = new List<(int, uint)>();
        for (int i = 0; i < uids.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            uint uid = uids[i];
            if (selected.IsExpungedPending(uid) || selected.Find(uid) is not { } info)
            {
                continue;
            }

            using var message = new SearchMessage(selected.Mailbox, info, i + 1, scope);
            try
            {
                if (_root.Matches(message))
                {
                    hits.Add((i + 1, uid));
                }
            }
            catch (Exception e) when (e is IOException or StorageException or UnauthorizedAccessException)
            {
                // The message's file went away under us (another process expunged it): no match.
            }
        }

        return hits;
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
