using System.Globalization;
using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Commands.Sort;

/// <summary>
/// <c>RETURN (…)</c> of an extended SORT (RFC 5267 ESORT: MIN, MAX, ALL, COUNT, and PARTIAL of
/// CONTEXT=SORT; RFC 5182 SAVE). MIN and MAX are the first and last message in sort order, ALL
/// and PARTIAL list messages in sort order. <c>RETURN ()</c> means ALL; without RETURN the
/// answer is the RFC 5256 SORT line.
/// </summary>
public sealed class SortReturnOptions
{
    public bool Extended { get; private init; }

    public bool Min { get; private set; }

    public bool Max { get; private set; }

    public bool All { get; private set; }

    public bool Count { get; private set; }

    public bool Save { get; private set; }

    /// <summary>PARTIAL first:last, positions in the sorted result counted from 1; null without PARTIAL.</summary>
    public (uint First, uint Last)? Partial { get; private set; }

    /// <summary>False for SAVE alone, which RFC 5182 answers with no ESEARCH line.</summary>
    public bool Answers => Min || Max || All || Count || Partial is not null;

    public static SortReturnOptions Parse(ArgReader args)
    {
        if (!args.TryAtom("RETURN"))
        {
            return new SortReturnOptions();
        }

        var options = new SortReturnOptions { Extended = true };
        var list = args.ExpectList("sort return options");
        while (!list.AtEnd)
        {
            switch (list.ExpectAtom("sort return option").ToUpperInvariant())
            {
                case "MIN": options.Min = true; break;
                case "MAX": options.Max = true; break;
                case "ALL": options.All = true; break;
                case "COUNT": options.Count = true; break;
                case "SAVE": options.Save = true; break;
                case "PARTIAL" when options.Partial is null:
                    options.Partial = ParseRange(list.ExpectAtom("partial range"));
                    break;
                default: throw new ImapSyntaxException("Unknown or repeated sort return option");
            }
        }

        if (options.Partial is not null && options.All)
        {
            throw new ImapSyntaxException("PARTIAL conflicts with ALL");
        }

        if (!options.Answers && !options.Save)
        {
            options.All = true;
        }

        return options;
    }

    private static (uint, uint) ParseRange(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0 || !uint.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out uint a) ||
            !uint.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out uint b) || a == 0 || b == 0)
        {
            throw new ImapSyntaxException("Invalid partial range " + text);
        }

        return a <= b ? (a, b) : (b, a);
    }

    /// <summary>What SAVE keeps (RFC 5182 §2.4): MIN and/or MAX alone keep only those messages, otherwise every hit.</summary>
    public IEnumerable<uint> Saved(IReadOnlyList<(int Sequence, uint Uid)> sorted)
    {
        if (sorted.Count == 0)
        {
            return [];
        }

        if ((Min || Max) && !All && !Count && Partial is null)
        {
            var saved = new List<uint>();
            if (Min)
            {
                saved.Add(sorted[0].Uid);
            }

            if (Max)
            {
                saved.Add(sorted[^1].Uid);
            }

            return saved;
        }

        return sorted.Select(h => h.Uid);
    }

    /// <summary>Numbers in the given order as a sequence-set: only ascending runs become ranges, so the order survives.</summary>
    public static string OrderedSet(IReadOnlyList<uint> numbers)
    {
        var text = new StringBuilder();
        int i = 0;
        while (i < numbers.Count)
        {
            int j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1)
            {
                j++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(numbers[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                text.Append(':').Append(numbers[j].ToString(CultureInfo.InvariantCulture));
            }

            i = j + 1;
        }

        return text.ToString();
    }
}
