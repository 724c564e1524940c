using Imap4d.Commands.Sort;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.Search;

/// <summary>
/// An updating search (RFC 5267 §4.3, <c>RETURN (UPDATE)</c> of SEARCH or SORT): keeps the result
/// and, as messages arrive, change flags or are expunged, tells the client with
/// <c>* ESEARCH (TAG "t") [UID] ADDTO (...) REMOVEFROM (...)</c>. A SEARCH result is kept in
/// mailbox order (context position 0); a SORT result in sort order, with the positions where
/// results leave and enter. Only messages whose flags or MODSEQ changed since the last look,
/// and new ones, are searched again.
/// </summary>
public sealed class SearchContext
{
    /// <summary>How many updating searches one selection keeps (RFC 5267 §4.3.1: at least one).</summary>
    public const int Limit = 8;

    private readonly SearchProgram _program;
    private readonly IReadOnlyList<SortCriterion>? _criteria;
    private readonly Collation _collation;
    private readonly HashSet<uint> _members;

    /// <summary>The members in result order (SORT only; a SEARCH result is in UID order).</summary>
    private readonly List<uint> _ordered;

    /// <summary>The view the result was last brought up to date with.</summary>
    private IReadOnlyList<MessageInfo> _view;

    private SearchContext(string tag, bool byUid, SearchProgram program, IReadOnlyList<SortCriterion>? criteria,
        Collation collation, IReadOnlyList<uint> results, IReadOnlyList<MessageInfo> view)
    {
        _collation = collation;
        Tag = tag;
        ByUid = byUid;
        _program = program;
        _criteria = criteria;
        _members = results.ToHashSet();
        _ordered = criteria is null ? [] : results.ToList();
        _view = view;
    }

    public string Tag { get; }

    public bool ByUid { get; }

    /// <summary>RFC 5267 §4.3: UPDATE under a tag that already names an updating search is BAD.</summary>
    public static void RefuseTagReuse(CommandContext context, SearchReturnOptions options)
    {
        if (options.Update && context.Session.RequireSelected().SearchContexts.Any(c => c.Tag == context.Tag))
        {
            throw new ImapSyntaxException("Tag reuse");
        }
    }

    /// <summary>
    /// Opens an updating search with the result just sent (UIDs, in result order); past the
    /// <see cref="Limit"/>, says <c>* NO [NOUPDATE "tag"]</c> instead (RFC 5267 §4.3.1) and
    /// returns false. <paramref name="criteria"/> is null for SEARCH.
    /// </summary>
    public static bool Open(CommandContext context, bool byUid, SearchKey root, IReadOnlyList<SortCriterion>? criteria,
        IReadOnlyList<uint> results)
    {
        var selected = context.Session.RequireSelected();
        if (selected.SearchContexts.Count >= Limit)
        {
            context.Writer.UntaggedStatus("NO", "NOUPDATE " + QuotedTag(context.Tag), "Too many contexts");
            return false;
        }

        var program = SearchProgram.Compile(Freeze(root, selected));
        selected.SearchContexts.Add(new SearchContext(context.Tag, byUid, program, criteria, context.Session.Comparator, results, selected.Mailbox.Messages));
        return true;
    }

    /// <summary>
    /// Before messages are announced as expunged (RFC 5267 §4.3.4: REMOVEFROM comes first, while
    /// their sequence numbers are still valid): removes those in the result.
    /// </summary>
    public void RemoveExpunged(ResponseWriter writer, SelectedMailbox selected, IReadOnlyCollection<uint> expunged)
    {
        var gone = expunged.Where(_members.Contains).ToHashSet();
        if (gone.Count == 0)
        {
            return;
        }

        var line = EsearchResponse.Begin(writer, Tag, ByUid);
        WriteRemovals(line, selected, gone);
        line.EndLine();
    }

    /// <summary>
    /// After the new view's EXISTS (RFC 5267 §4.3.3: ADDTO comes after it): searches the
    /// messages that are new or changed since the last look and tells what left and entered.
    /// </summary>
    public void Refresh(ResponseWriter writer, SelectedMailbox selected)
    {
        var view = selected.Mailbox.Messages;
        if (ReferenceEquals(view, _view))
        {
            return;
        }

        var candidates = ChangedBetween(_view, view)
            .Where(uid => selected.SequenceOf(uid) > 0 && !selected.IsExpungedPending(uid)).ToList();
        _view = view;
        if (candidates.Count == 0)
        {
            return;
        }

        var matching = _program.Matching(selected, candidates).ToHashSet();
        var removed = candidates.Where(uid => _members.Contains(uid) && !matching.Contains(uid)).ToHashSet();
        var added = matching.Where(uid => !_members.Contains(uid)).ToHashSet();
        if (removed.Count == 0 && added.Count == 0)
        {
            return;
        }

        var line = EsearchResponse.Begin(writer, Tag, ByUid);
        if (removed.Count > 0)
        {
            WriteRemovals(line, selected, removed);
        }

        if (added.Count > 0)
        {
            WriteAdditions(line, selected, added);
        }

        line.EndLine();
    }

    private uint NumberOf(SelectedMailbox selected, uint uid) => ByUid ? uid : (uint)selected.SequenceOf(uid);

    /// <summary>"REMOVEFROM (position set ...)", and the members gone.</summary>
    private void WriteRemovals(ResponseWriter line, SelectedMailbox selected, HashSet<uint> removed)
    {
        line.Atom("REMOVEFROM").BeginList();
        if (_criteria is null)
        {
            line.Number(0).Atom(EsearchResponse.OrderedSet(removed.Order().Select(uid => NumberOf(selected, uid)).ToList()));
        }
        else
        {
            // Runs of results that leave together, each at its position once the runs before it are gone.
            int left = 0;
            foreach (var (start, end) in RunsOf(_ordered, removed))
            {
                line.Number(start - left + 1).Atom(EsearchResponse.OrderedSet(_ordered[start..end].Select(uid => NumberOf(selected, uid)).ToList()));
                left += end - start;
            }

            _ordered.RemoveAll(removed.Contains);
        }

        line.EndList();
        _members.ExceptWith(removed);
    }

    /// <summary>"ADDTO (position set ...)", and the members new.</summary>
    private void WriteAdditions(ResponseWriter line, SelectedMailbox selected, HashSet<uint> added)
    {
        _members.UnionWith(added);
        line.Atom("ADDTO").BeginList();
        if (_criteria is null)
        {
            line.Number(0).Atom(EsearchResponse.OrderedSet(added.Order().Select(uid => NumberOf(selected, uid)).ToList()));
        }
        else
        {
            // Sort keys never change, so the results that stay keep their order: each run of new
            // ones goes in at its final position, in increasing order of position.
            var hits = _members.Order().Select(uid => (selected.SequenceOf(uid), uid)).ToList();
            var sorted = MessageSorter.Sort(selected, hits, _criteria, _collation, CancellationToken.None).Select(h => h.Uid).ToList();
            foreach (var (start, end) in RunsOf(sorted, added))
            {
                line.Number(start + 1).Atom(EsearchResponse.OrderedSet(sorted[start..end].Select(uid => NumberOf(selected, uid)).ToList()));
            }

            _ordered.Clear();
            _ordered.AddRange(sorted);
        }

        line.EndList();
    }

    /// <summary>The runs of neighbours in <paramref name="list"/> that are in <paramref name="set"/>, as [start, end) indexes.</summary>
    private static IEnumerable<(int Start, int End)> RunsOf(List<uint> list, HashSet<uint> set)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (set.Contains(list[i]))
            {
                int start = i;
                while (i + 1 < list.Count && set.Contains(list[i + 1]))
                {
                    i++;
                }

                yield return (start, i + 1);
            }
        }
    }

    /// <summary>UIDs in <paramref name="now"/> that are new or whose flags or MODSEQ differ in <paramref name="before"/> (both in UID order).</summary>
    private static List<uint> ChangedBetween(IReadOnlyList<MessageInfo> before, IReadOnlyList<MessageInfo> now)
    {
        var changed = new List<uint>();
        int i = 0;
        for (int j = 0; j < now.Count; j++)
        {
            var message = now[j];
            while (i < before.Count && before[i].Uid < message.Uid)
            {
                i++;
            }

            if (i < before.Count && before[i].Uid == message.Uid)
            {
                var old = before[i];
                if (old.ModSeq != message.ModSeq || !old.Flags.Equals(message.Flags))
                {
                    changed.Add(message.Uid);
                }

                i++;
            }
            else
            {
                changed.Add(message.Uid);
            }
        }

        return changed;
    }

    /// <summary>
    /// The search with every message-number set and <c>$</c> replaced by the UIDs they stand for
    /// now: an updating search keeps meaning the same messages while others are expunged.
    /// </summary>
    private static SearchKey Freeze(SearchKey key, SelectedMailbox selected) => key switch
    {
        SequenceKey sequence when !sequence.ByUid || sequence.Set.IsSavedResult =>
            new UidSetKey(selected.Resolve(sequence.Set, sequence.ByUid).ToHashSet()),
        AndKey and => new AndKey(and.Children.Select(k => Freeze(k, selected)).ToList()),
        OrKey or => new OrKey(Freeze(or.Left, selected), Freeze(or.Right, selected)),
        NotKey not => new NotKey(Freeze(not.Key, selected)),
        _ => key,
    };

    private static string QuotedTag(string tag) => "\"" + tag.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
