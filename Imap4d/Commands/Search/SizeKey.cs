namespace Imap4d.Commands.Search;

/// <summary>LARGER n and SMALLER n, on RFC822.SIZE.</summary>
public sealed class SizeKey(long size, bool larger) : SearchKey
{
    public long Size => size;

    public bool Larger => larger;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => larger ? message.Info.Size > size : message.Info.Size < size;

    public override string ToString() => (larger ? "LARGER " : "SMALLER ") + size;
}
