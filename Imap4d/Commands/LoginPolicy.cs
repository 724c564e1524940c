using Imap4d.Config;

namespace Imap4d.Commands;

/// <summary>
/// When LOGIN and AUTHENTICATE are refused (NO [PRIVACYREQUIRED], LOGINDISABLED and no AUTH=
/// advertised): on a connection without TLS, if `login-disabled` is set or `tls-mode` is
/// required. Once TLS is active both are allowed again — GNU imap4d likewise clears
/// login-disabled when TLS starts (starttls.c, tls_encryption_on).
/// </summary>
public static class LoginPolicy
{
    public static bool IsDisabled(ServerSettings settings, bool tlsActive) =>
        !tlsActive && (settings.LoginDisabled || settings.Tls.Mode == TlsMode.Required);
}
