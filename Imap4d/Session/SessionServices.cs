using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Storage;
using NLog;

namespace Imap4d.Session;

/// <summary>
/// What a session needs from outside: settings, authentication, logging and the hook that
/// switches to the user after login. Shared by all sessions of a process; no global state.
/// </summary>
public sealed class SessionServices
{
    public required ServerSettings Settings { get; init; }

    /// <summary>Checks LOGIN and AUTHENTICATE credentials; null refuses every login.</summary>
    public IAuthenticator? Authenticator { get; init; }

    /// <summary>
    /// The whole login policy (names, lockout, authorization, access lists, failure delay)
    /// around <see cref="Authenticator"/>; null checks the password alone, without delay (tests).
    /// </summary>
    public LoginService? Login { get; init; }

    public ILogger Log { get; init; } = LogManager.CreateNullLogger();

    /// <summary>Receives transcript lines ("C: ..." / "S: ...") when `transcript` is on.</summary>
    public Action<string>? Transcript { get; init; }

    /// <summary>
    /// Runs after a successful authentication, before the tagged OK: switches privileges,
    /// prepares the user's store. Returns null on success, or a text for NO.
    /// </summary>
    public Func<UserInfo, CancellationToken, ValueTask<string?>>? OnAuthenticated { get; init; }

    /// <summary>Builds the mail store of an authenticated user; null leaves sessions without mail (tests of login only).</summary>
    public Func<UserInfo, IMailStore>? StoreFactory { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Resolves URLAUTH URLs of other users' mailboxes (URLFETCH); null fetches NIL for them.</summary>
    public Commands.UrlAuth.IOtherUserUrls? OtherUserUrls { get; init; }

    /// <summary>Loaded TLS certificates, shared by every copy of these services (see <see cref="ForConnection"/>).</summary>
    public TlsContextCache TlsContexts { get; init; } = new();

    /// <summary>TLS under these settings; null when `tls-mode` is off or the certificate cannot be used (logged once).</summary>
    public IO.TlsServerContext? Tls => TlsContexts.Get(Settings.Tls, Log);

    /// <summary>These services with another hook after authentication (a user process switches once).</summary>
    public SessionServices WithOnAuthenticated(Func<UserInfo, CancellationToken, ValueTask<string?>>? hook) => new()
    {
        Settings = Settings,
        Authenticator = Authenticator,
        Login = Login,
        Log = Log,
        Transcript = Transcript,
        OnAuthenticated = hook,
        StoreFactory = StoreFactory,
        Clock = Clock,
        TlsContexts = TlsContexts,
        OtherUserUrls = OtherUserUrls,
    };

    /// <summary>These services with another resolver of other users' URLs (a user process asks the daemon).</summary>
    public SessionServices WithOtherUserUrls(Commands.UrlAuth.IOtherUserUrls? urls) => new()
    {
        Settings = Settings,
        Authenticator = Authenticator,
        Login = Login,
        Log = Log,
        Transcript = Transcript,
        OnAuthenticated = OnAuthenticated,
        StoreFactory = StoreFactory,
        Clock = Clock,
        TlsContexts = TlsContexts,
        OtherUserUrls = urls,
    };

    /// <summary>These services with the settings of the `server` block the connection came in on.</summary>
    public SessionServices ForConnection(ConnectionInfo connection)
    {
        var settings = Settings.ForLocalEndPoint(connection.LocalEndPoint);
        if (settings == Settings)
        {
            return this;
        }

        var transcriptLog = LogManager.GetLogger("transcript");
        return new SessionServices
        {
            Settings = settings,
            Authenticator = Authenticator,
            Login = Login,
            Log = Log,
            Transcript = settings.Transcript ? Transcript ?? (line => transcriptLog.Info(line)) : null,
            OnAuthenticated = OnAuthenticated,
            StoreFactory = StoreFactory,
            Clock = Clock,
            TlsContexts = TlsContexts,
            OtherUserUrls = OtherUserUrls,
        };
    }
}
