using Imap4d.Auth;

namespace Imap4d.Session;

/// <summary>How a session begins: an ordinary greeting, or preauthenticated as a user.</summary>
public sealed record SessionStart(UserInfo? PreauthUser, bool TestMode)
{
    public static SessionStart Normal { get; } = new(null, false);

    /// <summary>
    /// The preauth user was named by the peer (ident, a preauth program) rather than being the
    /// invoking user (stdio): it goes through the access lists and the switch to its privileges,
    /// as after a login (GNU imap4d_session_setup).
    /// </summary>
    public bool PreauthByPeer { get; init; }
}
