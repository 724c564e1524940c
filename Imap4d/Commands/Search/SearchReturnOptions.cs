using Imap4d.Protocol;

namespace Imap4d.Commands.Search;

/// <summary>
/// <c>RETURN (…)</c> of an extended SEARCH or SORT: RFC 4731 MIN, MAX, ALL, COUNT; RFC 5182
/// SAVE; RFC 5267 PARTIAL (with RFC 9394's ranges from the end), UPDATE and CONTEXT. Under SORT
/// (RFC 5267 ESORT) MIN and MAX are the first and last message in sort order and ALL and PARTIAL
/// list messages in sort order. <c>RETURN ()</c> means ALL; without RETURN the command answers
/// with its RFC 3501 SEARCH or RFC 5256 SORT line.
/// </summary>
public sealed class SearchReturnOptions
{
    /// <summary>True when the command had RETURN: the answer is an ESEARCH line, not SEARCH.</summary>
    public bool Extended { get; private init; }

    public bool Min { get; private set; }

    public bool Max { get; private set; }

    public bool All { get; private set; }

    public bool Count { get; private set; }

    public bool Save { get; private set; }

    /// <summary>PARTIAL's range; null without PARTIAL.</summary>
    public PartialRange? Partial { get; private set; }

    /// <summary>UPDATE: keep the search open and tell the client how its result changes (RFC 5267 §4.3).</summary>
    public bool Update { get; private set; }

    /// <summary>CONTEXT: a hint that the client will search again (RFC 5267 §4.2); nothing to do for it.</summary>
    public bool Context { get; private set; }

    /// <summary>True when the answer has data items (false for SAVE alone, RFC 5182 §2.1).</summary>
    public bool Answers => Min || Max || All || Count || Partial is not null;

    /// <summary>
    /// True when an ESEARCH line is sent: with data items, and for UPDATE even without, so that
    /// the client learns that the context is open.
    /// </summary>
    public bool WritesLine => Extended && (Answers || Update);

    /// <summary>RETURN () (ALL), what a SEARCH without RETURN means in IMAP4rev2 (RFC 9051 §6.4.4).</summary>
    public static SearchReturnOptions ImpliedAll() => new() { Extended = true, All = true };

    public static SearchReturnOptions Parse(ArgReader args)
    {
        if (!args.TryAtom("RETURN"))
        {
            return new SearchReturnOptions();
        }

        var options = new SearchReturnOptions { Extended = true };
        var list = args.ExpectList("return options");
        while (!list.AtEnd)
        {
            switch (list.ExpectAtom("return option").ToUpperInvariant())
            {
                case "MIN": options.Min = true; break;
                case "MAX": options.Max = true; break;
                case "ALL": options.All = true; break;
                case "COUNT": options.Count = true; break;
                case "SAVE": options.Save = true; break;
                case "UPDATE": options.Update = true; break;
                case "CONTEXT": options.Context = true; break;
                case "PARTIAL" when options.Partial is null:
                    options.Partial = PartialRange.Parse(list.ExpectAtom("partial range"));
                    break;
                default: throw new ImapSyntaxException("Unknown or repeated return option");
            }
        }

        if (options.Partial is not null && options.All)
        {
            // RFC 5267 §4.4: either one PARTIAL, one ALL, or neither.
            throw new ImapSyntaxException("PARTIAL conflicts with ALL");
        }

        if (!options.Answers && !options.Save && !options.Update)
        {
            options.All = true;
        }

        return options;
    }

    /// <summary>
    /// What SAVE keeps (RFC 5182 §2.4): with MIN and/or MAX and neither ALL, COUNT nor PARTIAL,
    /// only those messages; otherwise every hit. UIDs either way.
    /// </summary>
    public IEnumerable<uint> Saved(IReadOnlyList<(int Sequence, uint Uid)> hits)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        if ((Min || Max) && !All && !Count && Partial is null)
        {
            var saved = new List<uint>();
            if (Min)
            {
                saved.Add(hits[0].Uid);
            }

            if (Max)
            {
                saved.Add(hits[^1].Uid);
            }

            return saved;
        }

        return hits.Select(h => h.Uid);
    }
}
