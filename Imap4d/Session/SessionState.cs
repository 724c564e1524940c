namespace Imap4d.Session;

/// <summary>The RFC 3501 §3 connection states.</summary>
public enum SessionState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}

/// <summary>A set of states a command is allowed in.</summary>
[Flags]
public enum SessionStates
{
    None = 0,
    NotAuthenticated = 1,
    Authenticated = 2,
    Selected = 4,
    AfterLogin = Authenticated | Selected,
    Any = NotAuthenticated | Authenticated | Selected,
}
