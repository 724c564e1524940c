namespace Imap4d.Commands.Search;

/// <summary>
/// A fixed set of UIDs: what a sequence set or <c>$</c> stood for when an updating search began
/// (RFC 5267 §4.3), so that later expunges, which renumber messages, do not change its meaning.
/// </summary>
public sealed class UidSetKey(IReadOnlySet<uint> uids) : SearchKey
{
    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => uids.Contains(message.Info.Uid);

    public override string ToString() => "UID (" + uids.Count + " fixed)";
}
