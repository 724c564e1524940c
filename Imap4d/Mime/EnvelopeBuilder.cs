namespace Imap4d.Mime;

/// <summary>Builds the <see cref="Envelope"/> of a message header.</summary>
public static class EnvelopeBuilder
{
    public static Envelope Build(HeaderBlock header)
    {
        var from = Addresses(header, "From");
        return new Envelope(
            header.GetValue("Date"),
            header.GetValue("Subject"),
            from,
            Addresses(header, "Sender") ?? from,
            Addresses(header, "Reply-To") ?? from,
            Addresses(header, "To"),
            Addresses(header, "Cc"),
            Addresses(header, "Bcc"),
            header.GetValue("In-Reply-To"),
            header.GetValue("Message-ID"));
    }

    private static IReadOnlyList<Address>? Addresses(HeaderBlock header, string name)
    {
        var list = AddressParser.Parse(header.GetValue(name));
        return list.Count == 0 ? null : list;
    }
}
