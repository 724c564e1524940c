using Imap4d.Storage;

namespace Imap4d.Commands.Search;

/// <summary>ANSWERED, DELETED, DRAFT, FLAGGED, SEEN and their UN- forms.</summary>
public sealed class FlagKey(MessageFlags flag, bool set) : SearchKey
{
    public MessageFlags Flag => flag;

    public bool Set => set;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => message.Info.Flags.Has(flag) == set;

    public override string ToString() => (set ? "" : "UN") + flag.ToString().ToUpperInvariant();
}
