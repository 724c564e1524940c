namespace Imap4d.Commands.Search;

/// <summary>
/// SAVEDBEFORE, SAVEDON, SAVEDSINCE (RFC 8514 §4.3): the date of the save date in its own zone,
/// time disregarded; where the mailbox keeps no save dates, the internal date stands in for it.
/// </summary>
public sealed class SaveDateKey(DateOnly date, DateRelation relation) : SearchKey
{
    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message)
    {
        var saved = message.Mailbox.SaveDate(message.Info.Uid) ?? message.Info.InternalDate;
        return InternalDateKey.Compare(DateOnly.FromDateTime(saved.DateTime), date, relation);
    }

    public override string ToString() =>
        "SAVED" + relation.ToString().ToUpperInvariant() + " " + date.ToString("d-MMM-yyyy", System.Globalization.CultureInfo.InvariantCulture);
}
