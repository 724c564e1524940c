using Imap4d.Protocol;

namespace Imap4d.Commands.Sort;

/// <summary>A sort key of RFC 5256 §3 (and RFC 5957's DISPLAYFROM, DISPLAYTO).</summary>
public enum SortKey
{
    Arrival,
    Cc,
    Date,
    From,
    Size,
    Subject,
    To,
    DisplayFrom,
    DisplayTo,
}

/// <summary>One element of a SORT program: a key, ascending or (REVERSE) descending.</summary>
public sealed record SortCriterion(SortKey Key, bool Reverse)
{
    /// <summary>Parses <c>(sort-criterion *(SP sort-criterion))</c>; broken lists throw <see cref="ImapSyntaxException"/>.</summary>
    public static IReadOnlyList<SortCriterion> ParseList(ArgReader args)
    {
        var list = args.ExpectList("sort criteria");
        var criteria = new List<SortCriterion>();
        while (!list.AtEnd)
        {
            bool reverse = list.TryAtom("REVERSE");
            string name = list.ExpectAtom("sort key").ToUpperInvariant();
            SortKey key = name switch
            {
                "ARRIVAL" => SortKey.Arrival,
                "CC" => SortKey.Cc,
                "DATE" => SortKey.Date,
                "FROM" => SortKey.From,
                "SIZE" => SortKey.Size,
                "SUBJECT" => SortKey.Subject,
                "TO" => SortKey.To,
                "DISPLAYFROM" => SortKey.DisplayFrom,
                "DISPLAYTO" => SortKey.DisplayTo,
                _ => throw new ImapSyntaxException("Unknown sort key " + name),
            };
            criteria.Add(new SortCriterion(key, reverse));
        }

        return criteria.Count > 0 ? criteria : throw new ImapSyntaxException("Empty sort criteria");
    }

    /// <summary>The header fields this key reads (none for ARRIVAL and SIZE).</summary>
    public SortFields Fields => Key switch
    {
        SortKey.Cc => SortFields.Cc,
        SortKey.Date => SortFields.Date,
        SortKey.From => SortFields.From,
        SortKey.Subject => SortFields.Subject,
        SortKey.To => SortFields.To,
        SortKey.DisplayFrom => SortFields.DisplayFrom,
        SortKey.DisplayTo => SortFields.DisplayTo,
        _ => SortFields.None,
    };
}
