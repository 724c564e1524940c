namespace Imap4d.Commands.Search;

/// <summary>SAVEDATESUPPORTED (RFC 8514 §4.3): every message when the mailbox keeps save dates, none otherwise.</summary>
public sealed class SaveDateSupportedKey : SearchKey
{
    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => message.Mailbox.SupportsSaveDate;

    public override string ToString() => "SAVEDATESUPPORTED";
}
