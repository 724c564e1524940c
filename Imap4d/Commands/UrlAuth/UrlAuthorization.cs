using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.UrlAuth;

/// <summary>
/// Whether a session may use a URLAUTH-authorized URL (RFC 4467 §3, §6.3): an INTERNAL verifier
/// that matches the mailbox's current access key, not expired, and an access identifier the
/// session's user fits ("anonymous" and "authuser" anyone logged in, "user+name" that user;
/// "submit+name" only a submit server, which an IMAP session is not). URLs of another user's
/// mailboxes are refused: a session runs as its own user and cannot open them.
/// </summary>
public static class UrlAuthorization
{
    public static bool Allows(CommandContext context, ImapUrl url, DateTimeOffset now)
    {
        if (!url.HasUrlAuth || url.Mechanism is null || url.Token is null || !UrlAuthToken.IsInternal(url.Mechanism)
            || !url.IsAbsolute || url.User is null || context.Session.User is not { } user)
        {
            return false;
        }

        if (url.Expire is DateTimeOffset expire && expire <= now)
        {
            return false;
        }

        bool accessOk = url.Access switch
        {
            "anonymous" or "authuser" => true,
            _ when url.Access!.StartsWith("user+", StringComparison.Ordinal) => url.Access[5..] == user.Name,
            _ => false,
        };
        if (!accessOk || url.User != user.Name)
        {
            return false;
        }

        byte[]? key;
        try
        {
            key = context.Session.RequireStore().UrlAuthKey(url.Mailbox, create: false);
        }
        catch (StorageException)
        {
            return false;
        }

        return key is not null && UrlAuthToken.Verify(key, url.Rump, url.Token);
    }
}
