using Imap4d.Mime;

namespace Imap4d.Commands.Search;

/// <summary>
/// HEADER field string, SUBJECT, and the address keys FROM, TO, CC, BCC: a case-insensitive
/// substring of the value of any field with that name, RFC 2047 words decoded. Address keys
/// also match the raw value (so "=?utf-8?..." typed by a client still matches) and each parsed
/// address without comments or quoting (as ENVELOPE shows it). An empty
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
        foreach (var f in message.HeaderWith(fieldName).Fields)
        {
            if (!f.HasColon || !f.Name.Equals(fieldName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (_needle.Length == 0)
            {
                return true;
            }

            // Without encoded-words the decoded value is the raw one: one comparison is enough.
            string raw = f.Value;
            bool encoded = raw.Contains("=?", StringComparison.Ordinal);
            if (((address || !encoded) && Contains(RawText.ToText(raw))) || (encoded && Contains(Rfc2047Decoder.Decode(raw))))
            {
                return true;
            }

            if (address && MatchesParsedAddress(raw))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Each address as ENVELOPE parses it, comments and quoting gone, written "name &lt;mailbox@host&gt;":
    /// "From: &lt;user (comment)@ (comment) domain.org&gt;" then matches "user@domain.org".
    /// </summary>
    private bool MatchesParsedAddress(string raw)
    {
        foreach (var a in AddressParser.Parse(raw))
        {
            if (a.IsGroupEnd)
            {
                continue;
            }

            if (a.IsGroupStart)
            {
                if (Contains(Rfc2047Decoder.Decode(a.Mailbox!)))
                {
                    return true;
                }

                continue;
            }

            string spec = a.Host == Imap4d.Mime.Address.MissingDomain ? a.Mailbox! : a.Mailbox + "@" + a.Host;
            string text = a.Name is { Length: > 0 } name ? Rfc2047Decoder.Decode(name) + " <" + spec + ">" : spec;
            if (Contains(text))
            {
                return true;
            }
        }

        return false;
    }

    private bool Contains(string value) => TextFolding.Fold(value).Contains(_needle, StringComparison.Ordinal);

    public override string ToString() => $"HEADER {fieldName} \"{text}\"";
}
