using Imap4d.Protocol;

namespace Imap4d.Commands.Search;

/// <summary>
/// A sequence set (of message sequence numbers) or UID set. "*" is the last message the client
/// knows, or the largest UID in use.
/// </summary>
public sealed class SequenceKey(SequenceSet set, bool byUid) : SearchKey
{
    public SequenceSet Set => set;

    public bool ByUid => byUid;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => set.IsSavedResult
        ? message.Scope.SavedResult?.Contains(message.Info.Uid) == true
        : byUid
            ? set.Contains(message.Info.Uid, message.Scope.MaxUid)
            : set.Contains((uint)message.Sequence, (uint)message.Scope.Count);

    public override string ToString() => (byUid ? "UID " : "") + set;
}
