using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.UrlAuth;

/// <summary>
/// Whether a user may use a URLAUTH-authorized URL (RFC 4467 §3, §6.3): an INTERNAL verifier
/// that matches the mailbox's current access key in the URL owner's store, not expired, and an
/// access identifier the requesting user fits ("anonymous" and "authuser" anyone logged in,
/// "user+name" that user; "submit+name" only a submit server, which an IMAP session is not).
/// The requesting user is always who the server knows the session to be, never a name the
/// client gives.
/// </summary>
public static class UrlAuthorization
{
    /// <summary>A URL of the session's own user's mailboxes, checked against the session's store.</summary>
    public static bool Allows(CommandContext context, ImapUrl url, DateTimeOffset now)
    {
        if (context.Session.User is not { } user || url.User != user.Name)
        {
            return false;
        }

        return Verify(context.Session.RequireStore(), url, user.Name, now);
    }

    /// <summary>
    /// The URL is authorized for <paramref name="requester"/> by its owner, whose store is
    /// <paramref name="ownerStore"/> (the caller has made sure the store is the URL's user's).
    /// </summary>
    public static bool Verify(IMailStore ownerStore, ImapUrl url, string requester, DateTimeOffset now)
    {
        if (!url.HasUrlAuth || url.Mechanism is null || url.Token is null || !UrlAuthToken.IsInternal(url.Mechanism)
            || !url.IsAbsolute || url.User is null || !AccessAllows(url.Access!, requester))
        {
            return false;
        }

        if (url.Expire is DateTimeOffset expire && expire <= now)
        {
            return false;
        }

        byte[]? key;
        try
        {
            key = ownerStore.UrlAuthKey(url.Mailbox, create: false);
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return key is not null && UrlAuthToken.Verify(key, url.Rump, url.Token);
    }

    /// <summary>Whether the access identifier (lower-cased keyword, as <see cref="ImapUrl"/> keeps it) lets <paramref name="requester"/> in.</summary>
    public static bool AccessAllows(string access, string requester) => access switch
    {
        "anonymous" or "authuser" => true,
        _ when access.StartsWith("user+", StringComparison.Ordinal) => access[5..] == requester,
        _ => false,
    };
}
