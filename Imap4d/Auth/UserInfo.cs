namespace Imap4d.Auth;

/// <summary>
/// An account as the session needs it after authentication: the name mail is served for,
/// its home directory and, for system or mapped accounts, the uid/gid the session switches to.
/// </summary>
public sealed record UserInfo(string Name, string Home, uint? Uid = null, uint? Gid = null, string? Source = null);
