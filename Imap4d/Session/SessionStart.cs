using Imap4d.Auth;

namespace Imap4d.Session;

/// <summary>How a session begins: an ordinary greeting, or preauthenticated as a user.</summary>
public sealed record SessionStart(UserInfo? PreauthUser, bool TestMode)
{
    public static SessionStart Normal { get; } = new(null, false);
}
