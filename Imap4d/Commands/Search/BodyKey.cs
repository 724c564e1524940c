using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// BODY string (the decoded text of the body's text parts) and TEXT string (the header, then
/// the body). The body is searched in one streaming pass per message for all such keys
/// (<see cref="SearchMessage.BodyContains"/>); <see cref="NeedleIndex"/> is this key's slot.
/// </summary>
public sealed class BodyKey(string text, bool includeHeader) : SearchKey
{
    public string Text => text;

    /// <summary>The string case-folded, as the body scanner looks for it.</summary>
    public string Needle { get; } = TextFolding.Fold(text);

    /// <summary>True for TEXT.</summary>
    public bool IncludeHeader => includeHeader;

    /// <summary>Index of <see cref="Needle"/> in the program's list of body needles (set when compiled).</summary>
    public int NeedleIndex { get; set; } = -1;

    public override SearchCost Cost => SearchCost.Body;

    public override bool Matches(SearchMessage message) =>
        Needle.Length == 0 || (includeHeader && HeaderContains(message.Header)) || message.BodyContains(NeedleIndex);

    private bool HeaderContains(HeaderBlock header)
    {
        foreach (var f in header.Fields)
        {
            string line = f.HasColon ? f.Name + ": " + Rfc2047Decoder.Decode(f.Value) : f.Name;
            if (TextFolding.Fold(line).Contains(Needle, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => (includeHeader ? "TEXT \"" : "BODY \"") + text + "\"";
}
