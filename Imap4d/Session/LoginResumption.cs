using Imap4d.Auth;

namespace Imap4d.Session;

/// <summary>A login done in another process, as the session that continues it needs it (see <see cref="ImapSession.ResumeAsync"/>).</summary>
public sealed record LoginResumption(
    UserInfo User,
    string How,
    string Tag,
    string CommandName,
    bool Tls,
    IReadOnlyList<string> Enabled,
    IReadOnlyList<KeyValuePair<string, string?>>? ClientId);
