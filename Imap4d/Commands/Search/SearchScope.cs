using Imap4d.Storage.Index;

namespace Imap4d.Commands.Search;

/// <summary>
/// What one SEARCH run knows about the mailbox as the client sees it.
/// <paramref name="Count"/> is the number of messages (the value of "*" in a sequence set),
/// <paramref name="MaxUid"/> the largest UID (the value of "*" in a UID set).
/// <paramref name="Cache"/> is the mailbox's FETCH cache (cached header fields), if any.
/// </summary>
/// <paramref name="SavedResult"/> is what <c>$</c> stands for (RFC 5182).
public sealed record SearchScope(int Count, uint MaxUid, IReadOnlySet<uint> RecentUids, IReadOnlyList<BodyNeedle> BodyNeedles,
    FetchCache? Cache = null, IReadOnlySet<uint>? SavedResult = null, DateTimeOffset Now = default);
