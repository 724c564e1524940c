namespace Imap4d.Mime;

/// <summary>
/// The RFC 3501 envelope of a message. Strings are raw (one char per byte), unfolded, not
/// decoded; a null string or list is NIL. Sender and Reply-To default to From.
/// </summary>
public sealed record Envelope(
    string? Date,
    string? Subject,
    IReadOnlyList<Address>? From,
    IReadOnlyList<Address>? Sender,
    IReadOnlyList<Address>? ReplyTo,
    IReadOnlyList<Address>? To,
    IReadOnlyList<Address>? Cc,
    IReadOnlyList<Address>? Bcc,
    string? InReplyTo,
    string? MessageId);
