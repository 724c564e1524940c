namespace Imap4d.Config;

/// <summary>
/// The settings a session and its host consume, bound from the configuration tree
/// (see <see cref="SettingsBinder"/>). Defaults are GNU imap4d's where it has one.
/// Immutable after binding, so one instance can be shared by many sessions in a test process.
/// </summary>
public sealed record ServerSettings
{
    /// <summary>`login-disabled`: LOGIN and AUTHENTICATE refused, LOGINDISABLED advertised.</summary>
    public bool LoginDisabled { get; init; }

    /// <summary>`id-fields`: names of the fields sent in the `* ID` response (GNU default set).</summary>
    public IReadOnlyList<string> IdFields { get; init; } = ["name", "version", "vendor"];

    /// <summary>Namespaces (RFC 2342); each kind holds its prefixes in configuration order.</summary>
    public NamespaceSettings Namespaces { get; init; } = NamespaceSettings.Default;

    /// <summary>`timeout`: idle time before the session is closed with BYE; zero means none.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// `login-timeout` (imap4d.NET extension): the idle timeout before authentication; the
    /// shorter of this and <see cref="IdleTimeout"/> applies. Zero means none.
    /// </summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>`transcript`: log every protocol line (secrets and literal payloads masked).</summary>
    public bool Transcript { get; init; }

    /// <summary>Protocol limits; a violation gets a tagged BAD, or BYE when the stream cannot resynchronize.</summary>
    public ProtocolLimits Limits { get; init; } = new();

    /// <summary>The file of virtual users (passwd format), or null when none is configured.</summary>
    public string? UserDatabaseFile { get; init; }

    /// <summary>`auth { authentication ...; }`: module names in the order they are tried.</summary>
    public IReadOnlyList<string> AuthenticationModules { get; init; } = ["generic", "system"];

    /// <summary>Authorization, PAM, access lists, login names, failed logins and privileges.</summary>
    public AuthSettings Auth { get; init; } = new();

    /// <summary>`logging` block: where log lines go.</summary>
    public LoggingSettings Logging { get; init; } = new();

    /// <summary>`preauth` and its companions: how a session may start authenticated.</summary>
    public PreauthSettings Preauth { get; init; } = new();

    /// <summary>The checks run on a connection before the greeting: PROXY header and `acl`.</summary>
    public GateSettings Gate { get; init; } = new();

    /// <summary>`mode`: inetd or daemon.</summary>
    public string Mode { get; init; } = "inetd";

    /// <summary>`port`: the port the daemon listens on when no `server` block is given.</summary>
    public int Port { get; init; } = 143;

    /// <summary>`server ADDR[:PORT]` blocks (daemon mode).</summary>
    public IReadOnlyList<ListenerSettings> Servers { get; init; } = [];

    /// <summary>`max-children` for daemon mode.</summary>
    public int MaxChildren { get; init; } = 20;

    /// <summary>`special-use NAME ATTRIBUTE;` (RFC 6154): mailbox name → \Sent, \Drafts, \Trash, \Junk, \Archive, ...</summary>
    public IReadOnlyDictionary<string, string> SpecialUse { get; init; } = NoSpecialUse;

    private static readonly IReadOnlyDictionary<string, string> NoSpecialUse = new Dictionary<string, string>();

    /// <summary>The `mailbox` block: where INBOX is and the default mailbox type.</summary>
    public MailboxSettings Mailbox { get; init; } = new();

    /// <summary>The `quota` block (RFC 9208 QUOTA).</summary>
    public QuotaSettings Quota { get; init; } = new();

    /// <summary>`foreground` for daemon mode.</summary>
    public bool Foreground { get; init; }

    /// <summary>The `filter` block: the delivery filter and the quarantine header (LDA and LMTP).</summary>
    public FilterSettings Filter { get; init; } = new();

    /// <summary>The `tls` block and `tls-mode` in effect (for a connection: its server block's, see <see cref="ForLocalEndPoint"/>).</summary>
    public TlsSettings Tls { get; init; } = new();

    /// <summary>The daemon's pid file and pool of prestarted session processes.</summary>
    public DaemonSettings Daemon { get; init; } = new();

    /// <summary>
    /// The settings for a connection accepted on <paramref name="local"/>: the matching `server`
    /// block's own statements override the global ones. Used by the daemon and by the
    /// per-connection child, which finds its server block from its socket's local address.
    /// </summary>
    public ServerSettings ForLocalEndPoint(System.Net.EndPoint? local)
    {
        if (local is not System.Net.IPEndPoint ip)
        {
            return this;
        }

        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        var server = Servers.FirstOrDefault(s => s.Port == ip.Port && s.Matches(address))
            ?? Servers.FirstOrDefault(s => s.Port == ip.Port);
        return server is null ? this : server.ApplyTo(this);
    }
}

/// <summary>
/// The `mailbox` block. INBOX is `mailbox-pattern` with $user/$home expanded when given
/// (`/var/mail/$user`, `maildir://$home/Maildir`), else `mail-spool`/USER.
/// </summary>
public sealed record MailboxSettings
{
    /// <summary>`mail-spool`: the directory of the users' system mailboxes.</summary>
    public string MailSpool { get; init; } = "/var/mail";

    /// <summary>`mailbox-pattern`: a URL or path for INBOX, with $user and $home; null to use the spool.</summary>
    public string? MailboxPattern { get; init; }

    /// <summary>`mailbox-type`: the type of new mailboxes where a namespace does not say.</summary>
    public string MailboxType { get; init; } = "mbox";

    /// <summary>
    /// `index-directory`: the user's directory for every index and FETCH cache ($user, $home); null
    /// for the default: beside a mailbox whose directory is private to the user, else $home/.imap4d.
    /// </summary>
    public string? IndexDirectory { get; init; }
}

/// <summary>Limits on what one client can make the server read or hold.</summary>
public sealed record ProtocolLimits
{
    /// <summary>Longest command line, not counting literals (bytes).</summary>
    public int MaxLineLength { get; init; } = 64 * 1024;

    /// <summary>Largest literal accepted outside APPEND (bytes).</summary>
    public long MaxLiteralSize { get; init; } = 64 * 1024;

    /// <summary>Largest APPEND message literal (bytes).</summary>
    public long MaxAppendSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Deepest parenthesized list nesting.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>Most arguments in one command, all lists included.</summary>
    public int MaxArguments { get; init; } = 100_000;

    /// <summary>Consecutive bad commands after which the session is closed with BYE.</summary>
    public int MaxBadCommands { get; init; } = 20;
}

/// <summary>One listening endpoint of the standalone daemon (`server ADDR[:PORT] { ... }`).</summary>
public sealed record ListenerSettings(string Address, int Port)
{
    /// <summary>The block's `transcript`, or null to use the global one.</summary>
    public bool? Transcript { get; init; }

    /// <summary>The block's `timeout`, or null to use the global one.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>`single-process`: serve this server's connections inside the daemon process.</summary>
    public bool? SingleProcess { get; init; }

    /// <summary>`backlog`: the listen queue length; null for the system default.</summary>
    public int? Backlog { get; init; }

    /// <summary>`protocol`: what this server speaks, imap (default) or lmtp.</summary>
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Imap;

    /// <summary>Whether the block's label is a path: a Unix-domain socket rather than an IP address.</summary>
    public bool IsUnixSocket => Address.StartsWith('/');

    /// <summary>The block's `tls-mode`, or null to use the global one.</summary>
    public TlsMode? TlsMode { get; init; }

    /// <summary>The block's own `tls` block; used instead of the global one when it names a certificate (as GNU imap4d).</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>The block's `login-timeout`, or null to use the global one.</summary>
    public TimeSpan? LoginTimeout { get; init; }

    /// <summary>The block's `acl`, checked before the global one; null when the block has none.</summary>
    public AccessControlList? Acl { get; init; }

    /// <summary>The block's `proxy-protocol`, or null to use the global one.</summary>
    public bool? ProxyProtocol { get; init; }

    /// <summary>The block's `proxy-trusted` networks, or null to use the global ones.</summary>
    public IReadOnlyList<IpNetwork>? ProxyTrusted { get; init; }

    /// <summary>Whether this block listens on <paramref name="address"/> (a wildcard block matches any).</summary>
    public bool Matches(System.Net.IPAddress address) =>
        Address is "" or "*" or "0.0.0.0" or "::" or "[::]"
        || (System.Net.IPAddress.TryParse(Address.Trim('[', ']'), out var own) && own.Equals(address));

    /// <summary>The global settings with this block's own statements applied on top.</summary>
    public ServerSettings ApplyTo(ServerSettings global) => global with
    {
        IdleTimeout = IdleTimeout ?? global.IdleTimeout,
        LoginTimeout = LoginTimeout ?? global.LoginTimeout,
        Transcript = Transcript ?? global.Transcript,
        Tls = EffectiveTls(global.Tls),
        Gate = global.Gate with
        {
            ServerAcl = Acl ?? global.Gate.ServerAcl,
            ProxyProtocol = ProxyProtocol ?? global.Gate.ProxyProtocol,
            ProxyTrusted = ProxyTrusted ?? global.Gate.ProxyTrusted,
        },
    };

    /// <summary>
    /// GNU imap4d's rule (starttls_server_check): the block's tls-mode, else the global one, else
    /// ondemand when the block has a certificate of its own, else none; the block's own tls
    /// settings replace the global ones when they name a certificate.
    /// </summary>
    private TlsSettings EffectiveTls(TlsSettings global)
    {
        bool own = Tls?.CertificateFile is not null;
        var mode = TlsMode ?? global.ConfiguredMode ?? (own ? Config.TlsMode.OnDemand : Config.TlsMode.None);
        return (own ? Tls! : global) with { ConfiguredMode = mode };
    }
}

/// <summary>The `logging` block.</summary>
public sealed record LoggingSettings
{
    /// <summary>Send logs to syslog (true) or to stderr (false).</summary>
    public bool Syslog { get; init; } = true;

    /// <summary>Syslog facility name (`mail` by default, as GNU).</summary>
    public string Facility { get; init; } = "mail";

    /// <summary>Syslog tag; GNU uses the program name.</summary>
    public string Tag { get; init; } = "imap4d";

    /// <summary>Lowest severity logged: debug, info, notice, warning, error, crit, alert, emerg.</summary>
    public string Severity { get; init; } = "info";

    /// <summary>Prefix each line with its severity.</summary>
    public bool PrintSeverity { get; init; }

    /// <summary>`session-id`: prefix each line with the session identifier.</summary>
    public bool SessionId { get; init; }
}
