namespace Imap4d.Commands.Search;

/// <summary>NOT key.</summary>
public sealed class NotKey(SearchKey key) : SearchKey
{
    public SearchKey Key => key;

    public override SearchCost Cost => key.Cost;

    public override IEnumerable<SearchKey> Children => [key];

    public override bool Matches(SearchMessage message) => !key.Matches(message);

    public override string ToString() => "NOT " + key;
}
