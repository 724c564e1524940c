namespace Imap4d.Commands.Search;

/// <summary>KEYWORD and UNKEYWORD (keywords compare case-insensitively).</summary>
public sealed class KeywordKey(string keyword, bool set) : SearchKey
{
    public string Keyword => keyword;

    public bool Set => set;

    public override SearchCost Cost => SearchCost.Info;

    public override bool Matches(SearchMessage message) => message.Info.Flags.Keywords.Contains(keyword) == set;

    public override string ToString() => (set ? "KEYWORD " : "UNKEYWORD ") + keyword;
}
