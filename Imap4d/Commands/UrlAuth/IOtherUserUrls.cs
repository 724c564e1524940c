namespace Imap4d.Commands.UrlAuth;

/// <summary>
/// Resolves URLAUTH URLs of another user's mailboxes (RFC 4467: "imap://A@host/...;urlauth=..."
/// fetched by B): the owner's store verifies the token with the owner's key and the access
/// identifier against <c>requester</c>, which is the session's user as the server knows it.
/// </summary>
public interface IOtherUserUrls
{
    /// <summary>The message the URL names (whole; the caller takes the section), or why there is none.</summary>
    OtherUserUrl Fetch(ImapUrl url, string urlText, string requester);
}

/// <summary>
/// What <see cref="IOtherUserUrls.Fetch"/> found: the message, nothing (the URL is not valid or
/// not authorized for the requester: NIL), or <see cref="Unavailable"/> (the owner's side could
/// not be asked in time: NIL and a tagged NO).
/// </summary>
public readonly record struct OtherUserUrl(byte[]? Message, bool Unavailable)
{
    public static OtherUserUrl None => default;

    public static OtherUserUrl Failed => new(null, true);
}
