using Imap4d.Commands.Search;
using Imap4d.Commands.Sort;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5256 §3 SORT and UID SORT: "SORT (criteria) charset search-keys", the search done as
// SEARCH does it, the hits ordered by Sort/MessageSorter. RFC 5957 SORT=DISPLAY adds
// DISPLAYFROM and DISPLAYTO; RFC 5267 ESORT answers "SORT RETURN (…)" with an ESEARCH line
// (PARTIAL too, though without the UPDATE notifications CONTEXT=SORT would promise, so that is
// not advertised); RFC 5182 SAVE keeps the result for "$". Strings compare with
// i;unicode-casemap (RFC 5255 I18NLEVEL=1).
public sealed class SortCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID SORT" : "SORT";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        byUid ? [] : ["SORT", "SORT=DISPLAY", "ESORT", "I18NLEVEL=1"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var options = SortReturnOptions.Parse(args);
        var criteria = SortCriterion.ParseList(args);
        string charset = args.ExpectAString("charset");
        if (options.Save)
        {
            // RFC 5182 §2.1: a command that fails leaves "$" empty.
            selected.SavedResult = new HashSet<uint>();
        }

        SearchKey root;
        try
        {
            root = SearchParser.Parse(args, charset);
        }
        catch (SearchCharsetException e)
        {
            return ValueTask.FromResult(CommandResult.No(e.Message, SearchCharsetException.ResponseCode));
        }

        var hits = SearchProgram.Compile(root).Run(selected, ct);
        var sorted = MessageSorter.Sort(selected, hits, criteria, ct);
        if (options.Save)
        {
            selected.SavedResult = options.Saved(sorted).ToHashSet();
        }

        uint Number((int Sequence, uint Uid) hit) => byUid ? hit.Uid : (uint)hit.Sequence;
        if (!options.Extended)
        {
            var writer = context.Writer.Untagged().Atom("SORT");
            foreach (var hit in sorted)
            {
                writer.Number(Number(hit));
            }

            writer.EndLine();
        }
        else if (options.Answers)
        {
            WriteEsearch(context, options, sorted.Select(Number).ToList());
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }

    /// <summary>RFC 5267 §3.2: <c>* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [PARTIAL (r set)] [COUNT n]</c>.</summary>
    private void WriteEsearch(CommandContext context, SortReturnOptions options, List<uint> sorted)
    {
        var writer = context.Writer.Untagged().Atom("ESEARCH").BeginList().Atom("TAG").String(context.Tag).EndList();
        if (byUid)
        {
            writer.Atom("UID");
        }

        if (sorted.Count > 0)
        {
            if (options.Min)
            {
                writer.Atom("MIN").Number(sorted[0]);
            }

            if (options.Max)
            {
                writer.Atom("MAX").Number(sorted[^1]);
            }

            if (options.All)
            {
                writer.Atom("ALL").Atom(SortReturnOptions.OrderedSet(sorted));
            }
        }

        if (options.Partial is { } partial)
        {
            int first = (int)Math.Min(partial.First - 1, (uint)sorted.Count);
            int last = (int)Math.Min(partial.Last, (uint)sorted.Count);
            var part = sorted.GetRange(first, last - first);
            writer.Atom("PARTIAL").BeginList().Atom($"{partial.First}:{partial.Last}")
                .Atom(part.Count == 0 ? "NIL" : SortReturnOptions.OrderedSet(part)).EndList();
        }

        if (options.Count)
        {
            writer.Atom("COUNT").Number(sorted.Count);
        }

        writer.EndLine();
    }
}
