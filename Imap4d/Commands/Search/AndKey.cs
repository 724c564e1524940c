namespace Imap4d.Commands.Search;

/// <summary>A list of keys that must all match (a parenthesized list, or the whole command); cheapest first.</summary>
public sealed class AndKey : SearchKey
{
    private readonly SearchKey[] _keys;

    public AndKey(IEnumerable<SearchKey> keys)
    {
        // Stable: keys of equal cost keep the client's order.
        _keys = keys.OrderBy(k => k.Cost).ToArray();
        Cost = _keys.Length == 0 ? SearchCost.Info : _keys[^1].Cost;
    }

    public override SearchCost Cost { get; }

    public override IEnumerable<SearchKey> Children => _keys;

    public override bool Matches(SearchMessage message)
    {
        foreach (var key in _keys)
        {
            if (!key.Matches(message))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => "(" + string.Join(" ", _keys.Select(k => k.ToString())) + ")";
}
