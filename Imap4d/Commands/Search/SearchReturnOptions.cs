using Imap4d.Protocol;

namespace Imap4d.Commands.Search;

/// <summary>
/// <c>RETURN (…)</c> of an extended SEARCH (RFC 4731 MIN, MAX, ALL, COUNT; RFC 5182 SAVE).
/// <c>RETURN ()</c> means ALL. Without RETURN the search answers with the RFC 3501 SEARCH line.
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

    /// <summary>False for SAVE alone, which RFC 5182 §2.1 answers with no ESEARCH line.</summary>
    public bool Answers => Min || Max || All || Count;

    /// <summary>RETURN () (ALL), what a SEARCH without RETURN means in IMAP4rev2 (RFC 9051 §6.4.4).</summary>
    public static SearchReturnOptions ImpliedAll() => new() { Extended = true, All = true };

    public static SearchReturnOptions Parse(ArgReader args)
    {
        if (!args.TryAtom("RETURN"))
        {
            return new SearchReturnOptions();
        }

        var options = new SearchReturnOptions { Extended = true };
        var list = args.ExpectList("search return options");
        while (!list.AtEnd)
        {
            switch (list.ExpectAtom("search return option").ToUpperInvariant())
            {
                case "MIN": options.Min = true; break;
                case "MAX": options.Max = true; break;
                case "ALL": options.All = true; break;
                case "COUNT": options.Count = true; break;
                case "SAVE": options.Save = true; break;
                default: throw new ImapSyntaxException("Unknown search return option");
            }
        }

        if (!options.Answers && !options.Save)
        {
            options.All = true;
        }

        return options;
    }

    /// <summary>
    /// What SAVE keeps (RFC 5182 §2.4): with MIN and/or MAX and neither ALL nor COUNT, only those
    /// messages; otherwise every hit. UIDs either way.
    /// </summary>
    public IEnumerable<uint> Saved(IReadOnlyList<(int Sequence, uint Uid)> hits)
    {
        if (hits.Count == 0)
        {
            return [];
        }

        if ((Min || Max) && !All && !Count)
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
