namespace Imap4d.Mime;

/// <summary>Builds the <see cref="Envelope"/> of a message header.</summary>
public static class EnvelopeBuilder
{
    public static Envelope Build(HeaderBlock header)
    {
        var from = Addresses(header, "From");
        return new Envelope(
            Last(header, "Date"),
            Last(header, "Subject"),
            from,
            Addresses(header, "Sender") ?? from,
            Addresses(header, "Reply-To") ?? from,
            Addresses(header, "To"),
            Addresses(header, "Cc"),
            Addresses(header, "Bcc"),
            Last(header, "In-Reply-To"),
            Last(header, "Message-ID"));
    }

    /// <summary>The value of the last field with this name: a repeated field overrides (as in Dovecot).</summary>
    private static string? Last(HeaderBlock header, string name) => header.GetAll(name).LastOrDefault()?.Value;

    /// <summary>The addresses of every field with this name (a repeated To: adds to the list, as in Dovecot).</summary>
    private static IReadOnlyList<Address>? Addresses(HeaderBlock header, string name)
    {
        List<Address>? list = null;
        foreach (var field in header.GetAll(name))
        {
            var more = AddressParser.Parse(field.Value);
            if (more.Count > 0)
            {
                (list ??= []).AddRange(more);
            }
        }

        return list;
    }
}
