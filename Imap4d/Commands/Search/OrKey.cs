namespace Imap4d.Commands.Search;

/// <summary>OR key1 key2; the cheaper key is tried first.</summary>
public sealed class OrKey(SearchKey left, SearchKey right) : SearchKey
{
    private readonly SearchKey _first = right.Cost < left.Cost ? right : left;
    private readonly SearchKey _second = right.Cost < left.Cost ? left : right;

    public SearchKey Left => left;

    public SearchKey Right => right;

    public override SearchCost Cost => left.Cost > right.Cost ? left.Cost : right.Cost;

    public override IEnumerable<SearchKey> Children => [left, right];

    public override bool Matches(SearchMessage message) => _first.Matches(message) || _second.Matches(message);

    public override string ToString() => $"OR {left} {right}";
}
