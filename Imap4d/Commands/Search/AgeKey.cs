namespace Imap4d.Commands.Search;

/// <summary>
/// OLDER and YOUNGER (RFC 5032 WITHIN): INTERNALDATE as an instant against the time the search
/// started, <paramref name="seconds"/> back. OLDER n and YOUNGER n split the mailbox in two:
/// older is at or before that point, younger after it.
/// </summary>
public sealed class AgeKey(uint seconds, bool older) : SearchKey
{
    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message)
    {
        var now = message.Scope.Now == default ? DateTimeOffset.UtcNow : message.Scope.Now;
        bool isOlder = message.Info.InternalDate <= now.AddSeconds(-(double)seconds);
        return isOlder == older;
    }

    public override string ToString() => (older ? "OLDER " : "YOUNGER ") + seconds;
}
