namespace Imap4d.Commands.Sort;

/// <summary>
/// The order of one string sort key's values as numbers (see <see cref="SortRanks"/>). Each
/// table has a stamp no other table has, so a rank a record keeps from it
/// (<see cref="SortRecord.KeptRank"/>) is known to be current without looking the string up.
/// </summary>
internal sealed class SortRankTable(Dictionary<string, int> ranks)
{
    private static int _lastStamp;

    public int Stamp { get; } = Interlocked.Increment(ref _lastStamp);

    public Dictionary<string, int> Ranks { get; } = ranks;
}
