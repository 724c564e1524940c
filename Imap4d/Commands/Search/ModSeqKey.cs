namespace Imap4d.Commands.Search;

/// <summary>
/// RFC 7162 §3.1.5 <c>MODSEQ [entry-name entry-type] n</c>: messages whose MODSEQ is at least n.
/// Flags share the message's one MODSEQ here, so the entry name and type only narrow nothing.
/// </summary>
public sealed class ModSeqKey(ulong atLeast) : SearchKey
{
    public ulong AtLeast => atLeast;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => message.Info.ModSeq >= atLeast;

    /// <summary>True when <paramref name="key"/> or a key under it is a MODSEQ key (the result then ends in "(MODSEQ n)").</summary>
    public static bool OccursIn(SearchKey key) => key is ModSeqKey || key.Children.Any(OccursIn);

    public override string ToString() => "MODSEQ " + atLeast;
}
