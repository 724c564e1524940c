namespace Imap4d.Storage;

/// <summary>LIST attributes (RFC 3501 §7.2.2, RFC 3348 CHILDREN, RFC 6154 SPECIAL-USE).</summary>
[Flags]
public enum MailboxAttributes
{
    None = 0,
    Noinferiors = 1,
    Noselect = 2,
    Marked = 4,
    Unmarked = 8,
    HasChildren = 16,
    HasNoChildren = 32,
    NonExistent = 64,
    Subscribed = 128,
}

/// <summary>One LIST/LSUB result: the IMAP name (modified UTF-7), delimiter and attributes.</summary>
public sealed record MailboxInfo(string Name, char Delimiter, MailboxAttributes Attributes, string? SpecialUse = null);
