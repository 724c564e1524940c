namespace Imap4d.Commands.Search;

/// <summary>RECENT (\Recent in this session) and OLD (not \Recent).</summary>
public sealed class RecentKey(bool recent) : SearchKey
{
    public bool Recent => recent;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => message.IsRecent == recent;

    public override string ToString() => recent ? "RECENT" : "OLD";
}
