namespace Imap4d.Commands.Search;

/// <summary>
/// SENTBEFORE, SENTON, SENTSINCE: the date written in the Date: header (in the sender's zone,
/// time disregarded). A message without a readable Date: matches none of them.
/// </summary>
public sealed class SentDateKey(DateOnly date, DateRelation relation) : SearchKey
{
    public DateOnly Date => date;

    public DateRelation Relation => relation;

    public override SearchCost Cost => SearchCost.Header;

    public override bool Matches(SearchMessage message) =>
        message.SentDate is { } sent && InternalDateKey.Compare(sent, date, relation);

    public override string ToString() => "SENT" + relation.ToString().ToUpperInvariant() + " " + date.ToString("d-MMM-yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
