using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Commands.UrlAuth;
using Imap4d.Config;
using Imap4d.Storage;
using Mono.Unix.Native;

namespace Imap4d.Hosting;

/// <summary>
/// How a session resolves a URLAUTH URL of another user's mailbox (RFC 4467). When this process
/// may read the owner's mail itself (it is not root and the owner is a virtual user without a
/// uid of its own, or has this process's uid: virtual users sharing one uid, or a server not
/// run as root), the owner's store is opened here and the token verified with the owner's key.
/// Otherwise, in a user process of a daemon with a login process, the daemon is asked
/// (<see cref="DaemonUrlChannel"/>), which has the owner's own worker answer. Elsewhere (inetd
/// mode, or a daemon without a login process, after the switch to the user) nothing can read
/// the owner's mail, and such URLs fetch NIL. Never a message without a valid token.
/// </summary>
public sealed class OtherUserUrls : IOtherUserUrls
{
    private readonly ServerSettings _settings;
    private readonly Func<UserInfo, IMailStore> _stores;
    private readonly Lazy<RecipientResolver> _users;
    private readonly DaemonUrlChannel? _daemon;

    public OtherUserUrls(ServerSettings settings, Func<UserInfo, IMailStore> stores, DaemonUrlChannel? daemon = null)
    {
        _settings = settings;
        _stores = stores;
        _users = new Lazy<RecipientResolver>(() => new RecipientResolver(settings, _ => { }));
        _daemon = daemon;
    }

    public OtherUserUrl Fetch(ImapUrl url, string urlText, string requester)
    {
        uint self = Syscall.geteuid();
        var owner = url.User is { } name ? _users.Value.Resolve(name) : null;
        if (owner is not null && self != 0 && (owner.Uid is null || owner.Uid == self))
        {
            var store = _stores(owner);
            return UrlAuthorization.Verify(store, url, requester, DateTimeOffset.UtcNow)
                && UrlMessage.Open(store, null, url, _settings.Limits.MaxAppendSize) is { } message
                ? new OtherUserUrl(message.Message, false)
                : OtherUserUrl.None;
        }

        if (_daemon is null)
        {
            return OtherUserUrl.None;
        }

        var (status, bytes) = _daemon.Fetch(urlText);
        return status switch
        {
            OwnerUrlStatus.Found => new OtherUserUrl(bytes, false),
            OwnerUrlStatus.Failed => OtherUserUrl.Failed,
            _ => OtherUserUrl.None,
        };
    }
}
