using Imap4d.Commands.Search;
using Imap4d.Commands.Sort;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5256 §3 SORT and UID SORT: "SORT (criteria) charset search-keys", the search done as
// SEARCH does it, the hits ordered by Sort/MessageSorter. RFC 5957 SORT=DISPLAY adds
// DISPLAYFROM and DISPLAYTO; RFC 5267 ESORT answers "SORT RETURN (…)" with an ESEARCH line,
// and CONTEXT=SORT adds PARTIAL and UPDATE (Search/SearchContext keeps the sorted result and
// tells where messages leave and enter it); RFC 5182 SAVE keeps the result for "$". Strings compare with
// i;unicode-casemap (RFC 5255 I18NLEVEL=1).
public sealed class SortCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID SORT" : "SORT";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        byUid ? [] : ["SORT", "SORT=DISPLAY", "ESORT", "CONTEXT=SORT", "I18NLEVEL=1"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var options = SearchReturnOptions.Parse(args);
        SearchContext.RefuseTagReuse(context, options);
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
        var sorted = MessageSorter.Sort(selected, hits, criteria, context.Session.Comparator, ct);
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
        else if (options.WritesLine)
        {
            EsearchResponse.Write(context.Writer, context.Tag, byUid, options, sorted.Select(Number).ToList());
            if (options.Update)
            {
                SearchContext.Open(context, byUid, root, criteria, sorted.Select(h => h.Uid).ToList());
            }
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
