using Imap4d.Auth;

namespace Imap4d.Session;

/// <summary>The mutable state of one session that commands read and change.</summary>
public sealed class SessionData
{
    public SessionState State { get; set; } = SessionState.NotAuthenticated;

    /// <summary>The authenticated user; null before authentication.</summary>
    public UserInfo? User { get; set; }

    /// <summary>Extensions turned on with ENABLE (RFC 5161), upper case.</summary>
    public HashSet<string> Enabled { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What the client said about itself in ID, for the log.</summary>
    public IReadOnlyDictionary<string, string?>? ClientId { get; set; }

    public ConnectionInfo Connection { get; init; } = ConnectionInfo.Unknown;

    public bool TestMode { get; init; }
}
