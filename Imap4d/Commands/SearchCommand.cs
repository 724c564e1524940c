using Imap4d.Commands.Search;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 3501 §6.4.4 SEARCH and UID SEARCH. The keys are parsed into a tree (Search/SearchParser),
// compiled once and run per message, cheapest checks first; headers and bodies are read only
// when a key needs them. RFC 4731 ESEARCH: "SEARCH RETURN (MIN MAX ALL COUNT)" answers with one
// ESEARCH line; RFC 5182 SEARCHRES: "RETURN (SAVE)" keeps the result for "$"; RFC 5032 WITHIN
// adds OLDER and YOUNGER; RFC 5267 CONTEXT=SEARCH: RETURN (PARTIAL a:b), and RETURN (UPDATE)
// keeps the search open (Search/SearchContext) until CANCELUPDATE or the mailbox is closed.
// In IMAP4rev2 every SEARCH answers with ESEARCH (RFC 9051 §6.4.4).
public sealed class SearchCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID SEARCH" : "SEARCH";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) => byUid ? [] : ["ESEARCH", "SEARCHRES", "WITHIN", "CONTEXT=SEARCH"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        var options = SearchReturnOptions.Parse(args);
        if (!options.Extended && Imap4Rev2.IsEnabled(context.Session))
        {
            options = SearchReturnOptions.ImpliedAll(); // RFC 9051 §6.4.4: ESEARCH, ALL when no RETURN
        }

        SearchContext.RefuseTagReuse(context, options);
        if (options.Save)
        {
            // RFC 5182 §2.1: a SEARCH that fails leaves "$" empty.
            selected.SavedResult = new HashSet<uint>();
        }

        SearchKey root;
        try
        {
            root = SearchParser.Parse(args);
        }
        catch (SearchCharsetException e)
        {
            return ValueTask.FromResult(CommandResult.No(e.Message, SearchCharsetException.ResponseCode));
        }

        // RFC 7162 §3.1.5: a MODSEQ key turns CONDSTORE on and ends the result with the highest MODSEQ.
        bool modSeq = ModSeqKey.OccursIn(root);
        if (modSeq)
        {
            CondStore.Enable(context);
        }

        var hits = SearchProgram.Compile(root).Run(selected, ct);
        if (options.Save)
        {
            selected.SavedResult = options.Saved(hits).ToHashSet();
        }

        if (options.WritesLine)
        {
            WriteEsearch(context, options, hits, modSeq);
            if (options.Update)
            {
                SearchContext.Open(context, byUid, root, null, hits.Select(h => h.Uid).ToList());
            }
        }
        else if (!options.Extended)
        {
            var writer = context.Writer.Untagged().Atom("SEARCH");
            foreach (var (sequence, uid) in hits)
            {
                writer.Number(byUid ? uid : sequence);
            }

            if (modSeq && hits.Count > 0)
            {
                writer.BeginList().Atom("MODSEQ").Atom(CondStore.Format(HighestModSeqOf(selected, hits))).EndList();
            }

            writer.EndLine();
        }

        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }

    /// <summary>The highest MODSEQ among <paramref name="hits"/>.</summary>
    private static ulong HighestModSeqOf(SelectedMailbox selected, IEnumerable<(int Sequence, uint Uid)> hits) =>
        hits.Select(h => selected.FindForFetch(h.Uid)?.ModSeq ?? 0).DefaultIfEmpty(0UL).Max();

    /// <summary>The ESEARCH line (RFC 4731 §3); with a MODSEQ key, the highest MODSEQ of the messages it returns.</summary>
    private void WriteEsearch(CommandContext context, SearchReturnOptions options, IReadOnlyList<(int Sequence, uint Uid)> hits,
        bool modSeq)
    {
        ulong? highest = null;
        if (modSeq && hits.Count > 0)
        {
            // RFC 4731 §3.2 / RFC 7162 §3.1.5: of the messages returned; MIN and MAX alone return only those two.
            IEnumerable<(int, uint)> returned = options.All || options.Count ? hits
                : options.Partial is { } partial ? partial.Select(hits)
                : new[] { hits[0], hits[^1] }.Where((h, i) => i == 0 ? options.Min : options.Max);
            highest = HighestModSeqOf(context.Session.RequireSelected(), returned);
        }

        EsearchResponse.Write(context.Writer, context.Tag, byUid, options, hits.Select(h => byUid ? h.Uid : (uint)h.Sequence).ToList(), highest);
    }
}
