namespace Imap4d.Commands.Search;

/// <summary>BEFORE, ON, SINCE: the date of INTERNALDATE in its own zone, time disregarded (RFC 3501).</summary>
public sealed class InternalDateKey(DateOnly date, DateRelation relation) : SearchKey
{
    public DateOnly Date => date;

    public DateRelation Relation => relation;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) =>
        Compare(DateOnly.FromDateTime(message.Info.InternalDate.DateTime), date, relation);

    internal static bool Compare(DateOnly value, DateOnly date, DateRelation relation) => relation switch
    {
        DateRelation.Before => value < date,
        DateRelation.On => value == date,
        _ => value >= date,
    };

    public override string ToString() => relation.ToString().ToUpperInvariant() + " " + date.ToString("d-MMM-yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
