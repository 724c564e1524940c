namespace Imap4d.Commands.Search;

/// <summary>ALL: every message.</summary>
public sealed class AllKey : SearchKey
{
    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => true;

    public override string ToString() => "ALL";
}
