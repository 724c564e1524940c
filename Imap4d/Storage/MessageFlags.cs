namespace Imap4d.Storage;

/// <summary>The RFC 3501 system flags that are stored. \Recent is not here: it belongs to a session.</summary>
[Flags]
public enum MessageFlags
{
    None = 0,
    Seen = 1,
    Answered = 2,
    Flagged = 4,
    Deleted = 8,
    Draft = 16,
}
