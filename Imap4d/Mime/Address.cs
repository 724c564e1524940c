namespace Imap4d.Mime;

/// <summary>
/// An address as RFC 3501 represents it (raw strings, display names not decoded). A group
/// start is (null, null, group name, null); a group end is all null.
/// </summary>
public sealed record Address(string? Name, string? Route, string? Mailbox, string? Host)
{
    /// <summary>Host used when an address has no domain (as Dovecot reports it).</summary>
    public const string MissingDomain = "MISSING_DOMAIN";

    /// <summary>Mailbox used when an address has no local part (as Dovecot reports it).</summary>
    public const string MissingMailbox = "MISSING_MAILBOX";

    public bool IsGroupStart => Host is null && Mailbox is not null;

    public bool IsGroupEnd => Host is null && Mailbox is null;
}
