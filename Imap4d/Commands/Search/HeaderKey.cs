using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// HEADER field string, SUBJECT, and the address keys FROM, TO, CC, BCC: a case-insensitive
/// substring of the value of any field with that name, RFC 2047 words decoded. Address keys
/// also match the raw value (so "=?utf-8?..." typed by a client still matches). An empty
/// string matches every message that has the field.
/// </summary>
public sealed class HeaderKey(string fieldName, string text, bool address) : SearchKey
{
    private readonly string _needle = TextFolding.Fold(text);

    public string Field => fieldName;

    public string Text => text;

    public bool Address => address;

    public override SearchCost Cost => SearchCost.Header;

    public override bool Matches(SearchMessage message)
    {
        foreach (var f in message.Header.Fields)
        {
            if (!f.HasColon || !f.Name.Equals(fieldName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (_needle.Length == 0)
            {
                return true;
            }

            string raw = f.Value;
            if (TextFolding.Fold(Rfc2047Decoder.Decode(raw)).Contains(_needle, StringComparison.Ordinal) ||
                (address && TextFolding.Fold(RawText.ToText(raw)).Contains(_needle, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => $"HEADER {fieldName} \"{text}\"";
}
