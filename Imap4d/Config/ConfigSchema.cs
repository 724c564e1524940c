namespace Imap4d.Config;

/// <summary>
/// Every statement and block GNU imap4d 3.15 accepts (its own, the m-server ones, and the
/// mailutils capabilities it loads: auth, debug, mailbox, locking, logging and the auth
/// modules' blocks), plus this daemon's own additions. The one description of the syntax:
/// it drives type checking, `--config-help` and `--config-lint`.
/// </summary>
public static class ConfigSchema
{
    private static readonly ConfigValueType S = ConfigValueType.String;
    private static readonly ConfigValueType N = ConfigValueType.Number;
    private static readonly ConfigValueType B = ConfigValueType.Boolean;
    private static readonly ConfigValueType T = ConfigValueType.TimeInterval;
    private static readonly ConfigValueType L = ConfigValueType.StringList;
    private static readonly ConfigValueType A = ConfigValueType.Any;

    /// <summary>Namespace kinds; `private` is the name GNU 3.5-3.7 used for `personal`.</summary>
    public static readonly IReadOnlyList<string> NamespaceKinds = ["personal", "other", "shared", "private"];

    public static readonly IReadOnlyList<string> Severities = ["debug", "info", "notice", "warning", "error", "crit", "alert", "emerg"];

    public static readonly IReadOnlyList<string> Facilities =
    [
        "user", "daemon", "auth", "authpriv", "mail", "cron",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    public static readonly IReadOnlyList<string> TlsModes = ["no", "false", "off", "0", "ondemand", "stls", "required", "connection", "yes", "true", "on", "1"];

    /// <summary>Statements older mailutils accepted, with what replaced them, for a helpful error.</summary>
    public static readonly IReadOnlyDictionary<string, string> RemovedStatements = new Dictionary<string, string>
    {
        ["homedir"] = "use a `namespace personal` block",
        ["personal-namespace"] = "use a `namespace personal` block",
        ["other-namespace"] = "use a `namespace other` block",
        ["shared-namespace"] = "use a `namespace shared` block",
        ["other-mailbox-mode"] = "use `mailbox-mode` in a `namespace other` block",
        ["shared-mailbox-mode"] = "use `mailbox-mode` in a `namespace shared` block",
    };

    /// <summary>The root: the statements allowed at the top of a file (or in `program imap4d { }`).</summary>
    public static ConfigSchemaEntry Root { get; } = Block("", null, "imap4d configuration", implemented: true, Top());

    /// <summary>Finds an entry by its path from the root, e.g. `logging.syslog` or `namespace.prefix.directory`.</summary>
    public static ConfigSchemaEntry? Find(string path)
    {
        var entry = Root;
        foreach (var name in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            entry = entry.Find(name);
            if (entry is null)
            {
                return null;
            }
        }

        return entry;
    }

    /// <summary>Every entry with its dotted path, depth first, in schema order.</summary>
    public static IEnumerable<(string Path, ConfigSchemaEntry Entry)> All()
    {
        static IEnumerable<(string, ConfigSchemaEntry)> Walk(string prefix, ConfigSchemaEntry parent)
        {
            foreach (var child in parent.Children)
            {
                var path = prefix.Length == 0 ? child.Name : prefix + "." + child.Name;
                yield return (path, child);
                foreach (var nested in Walk(path, child))
                {
                    yield return nested;
                }
            }
        }

        return Walk("", Root);
    }

    private static ConfigSchemaEntry[] Top() =>
    [
        // imap4d's own statements.
        Statement("allow-users", L, "users: list", "Allow access only to the users in this list.", implemented: true),
        Statement("deny-users", L, "users: list", "Deny access to the users in this list.", implemented: true),
        Statement("allow-groups", L, "groups: list", "Allow access only if the user is in one of these groups (primary or supplementary).", implemented: true),
        Statement("deny-groups", L, "groups: list", "Deny access if the user is in one of these groups (primary or supplementary).", implemented: true),
        Namespace(),
        Statement("login-disabled", B, "arg: bool", "Disable the LOGIN command.", implemented: true),
        Statement("create-home-dir", B, "arg: bool", "Create the home directory of a user who logs in and has none.", implemented: true),
        Statement("home-dir-mode", ConfigValueType.OctalMode, "mode: octal", "File mode of home directories created by create-home-dir (default 0700).", implemented: true),
        Statement("retain-groups", L, "groups: list of string",
            "Of the user's supplementary groups, keep only these when switching to the user's privileges (all when not given).", implemented: true),
        Statement("login-failure-delay", T, "arg: interval",
            "Wait this long before answering a failed LOGIN or AUTHENTICATE; doubled for each recent failure of the same address, user, or both, up to lockout's max-delay (imap4d.NET extension; default 2 seconds).", implemented: true),
        Block("lockout", null, "Slow down and block repeated failed logins, across all imap4d processes (imap4d.NET extension).", implemented: true,
        [
            Statement("max-failures", N, "count: number",
                "Failed logins of one user from one client address after which that pair is refused for lock-time (default 10; 0 turns the lockout, the growing delay and the pacing off).", implemented: true),
            Statement("max-users", N, "count: number",
                "Different users failing to log in from one client address after which the address is refused for lock-time (default 10; 0 never blocks an address).", implemented: true),
            Statement("window", T, "arg: interval", "How far back failures are counted (default 15 minutes).", implemented: true),
            Statement("lock-time", T, "arg: interval", "How long a blocked pair or address is refused (default 15 minutes).", implemented: true),
            Statement("max-delay", T, "arg: interval", "The longest a failed login waits for its answer as the delay grows (default 15 seconds).", implemented: true),
            Statement("failure-interval", T, "arg: interval",
                "At most one failed or refused login is answered per client address within this time, across all connections and processes (default 1 second; 0 for no pacing).", implemented: true),
            Statement("directory", S, "dir: string", "Where the failure records are kept (default /run/imap4d/lockout; created mode 0700, files 0600).", implemented: true),
        ]),
        Block("login-names", null, "How login names become account names (imap4d.NET extension).", implemented: true,
        [
            Statement("strip-domain", L, "domains: list", "Remove \"@DOMAIN\" from login names for these domains; \"*\" means any domain.", implemented: true),
            Statement("lower-case", B, "arg: bool", "Lower-case login names.", implemented: true),
            Statement("map-file", S, "file: string", "A file of \"LOGIN-NAME ACCOUNT\" lines mapping login names to accounts.", implemented: true),
        ]),
        Block("impersonation", null, "Administrators acting as other users (imap4d.NET extension).", implemented: true,
        [
            Statement("administrators", L, "users: list",
                "Accounts that may log in as ADMIN!USER (or with a SASL PLAIN authorization identity) with their own password and act as USER.", implemented: true),
            Statement("separator", S, "arg: character", "The character between the two names (default \"!\").", implemented: true),
        ]),
        Tls("tls", "TLS settings for inetd mode and for every server block without a certificate of its own."),
        Block("tls-file-checks", null, "Safety checks on the TLS files (a world-readable key is warned about in any case).", implemented: false,
        [
            Statement("key-file", L, "arg: list", "Checks on the key file: none, all, gwrfil, awrfil, grdfil, ardfil, linkwrdir, gwrdir, awrdir, each optionally prefixed with + or -."),
            Statement("cert-file", L, "arg: list", "Checks on the certificate file (see key-file)."),
            Statement("ca-file", L, "arg: list", "Checks on the CA file (see key-file)."),
        ]),
        Statement("tls-mode", ConfigValueType.Keyword, "arg: false|true|ondemand|stls|required|connection",
            "Kind of TLS for inetd mode and for server blocks without their own tls-mode: no (or false, off, 0); ondemand (or stls): offer STARTTLS; "
            + "required: STARTTLS before LOGIN/AUTHENTICATE; connection (or true, yes, on, 1): TLS from the first byte, as on port 993.",
            implemented: true, keywords: TlsModes),
        Statement("preauth", S, "mode: stdio|ident[://:PORT]|prog:///PROGRAM [ARGS]",
            "Start sessions in the authenticated state: as the user running imap4d (stdio), as the user the client's RFC 1413 server names (ident), "
            + "or as the user a program prints (prog; ${client_address}, ${client_port}, ${server_address}, ${server_port} are expanded in ARGS).", implemented: true),
        Statement("preauth-only", B, "arg: bool", "Use only preauth mode; close the connection with BYE when it cannot be set up.", implemented: true),
        Statement("ident-keyfile", S, "file: string", "DES key file (pidentd's, 1024 bytes a key) for decoding encrypted ident responses.", implemented: true),
        Statement("ident-encrypt-only", B, "arg: bool", "Accept only encrypted ident responses.", implemented: true),
        Statement("id-fields", L, "fields: list", "Fields returned in the response to the ID command.", implemented: true),
        Block("mandatory-locking", null, "Mandatory locking of mailboxes in use.", implemented: false,
        [
            Statement("enable", B, "arg: bool", "Enable mandatory locking."),
            Statement("lock-directory", S, "dir: string", "Directory to keep the lock files in."),
        ]),
        Statement("transcript", B, "arg: bool", "Log every line of every session (passwords masked).", implemented: true),
        Block("tcp-wrappers", null, "TCP wrapper access control (`tcp-wrappers BOOL;` is accepted too).", implemented: false,
        [
            Statement("enable", B, "arg: bool", "Enable TCP wrapper access control."),
            Statement("daemon", S, "name: string", "Daemon name for TCP wrapper lookups."),
            Statement("allow-table", S, "file: string", "File for positive client address access control (default /etc/hosts.allow)."),
            Statement("deny-table", S, "file: string", "File for negative client address access control (default /etc/hosts.deny)."),
        ], simpleType: B),
        Statement("tcp-wrappers-daemon", S, "name: string", "Daemon name for the TCP wrappers check (older mailutils)."),
        Statement("tcp-wrappers-allow", S, "file: string", "TCP wrappers allow file (older mailutils)."),
        Statement("tcp-wrappers-deny", S, "file: string", "TCP wrappers deny file (older mailutils)."),
        Statement("special-use", A, "<mailbox: string> <attribute: string>",
            "Mark a mailbox with a RFC 6154 special-use attribute: \\Sent, \\Drafts, \\Trash, \\Junk, \\Archive, \\Flagged or \\All (may be repeated).", implemented: true),

        // The m-server statements (daemon mode).
        Statement("max-children", N, "arg: number", "Largest number of sessions served at once in daemon mode.", implemented: true),
        Statement("mode", ConfigValueType.Keyword, "mode: inetd|interactive|daemon", "Operation mode.", implemented: true, keywords: ["inetd", "interactive", "daemon"]),
        Statement("foreground", B, "arg: bool", "Stay in the foreground in daemon mode.", implemented: true),
        Statement("pidfile", S, "file: string", "Store the PID of the master process in this file.", implemented: true),
        Statement("prestart-children", N, "arg: number",
            "Session processes kept started and idle in daemon mode, ready for the next connections; 0 disables (imap4d.NET extension).", implemented: true),
        Statement("login-process", B, "arg: bool",
            "Daemon mode: serve connections before login in one process running as login-user, which sends credentials to the daemon and hands each logged-in connection to a process of the user (imap4d.NET extension).", implemented: true),
        Statement("login-user", S, "name: string", "The account the login process runs as; default nobody (imap4d.NET extension).", implemented: true),
        Statement("max-login-connections", N, "arg: number",
            "Unauthenticated connections the login process holds at once; a new one over the limit closes the oldest. Default 256 (imap4d.NET extension).", implemented: true),
        Statement("sessions-per-user-process", N, "arg: number",
            "With the login process: logged-in connections of one user served by one process at once; 1 gives each its own (imap4d.NET extension).", implemented: true),
        Statement("user-process-linger", T, "arg: interval",
            "With the login process: how long a user's process with no session left waits for the user's next connection; 0 exits at once (imap4d.NET extension).", implemented: true),
        Statement("port", ConfigValueType.Port, "arg: port number or service name", "Port to listen on when a server block has none.", implemented: true),
        Statement("timeout", T, "arg: interval", "Close a session idle this long (seconds, or e.g. `1 hour 30 minutes`; 0 means never).", implemented: true),
        Statement("login-timeout", T, "arg: interval", LoginTimeoutText, implemented: true),
        Statement("proxy-protocol", B, "arg: bool", ProxyProtocolText, implemented: true),
        Statement("proxy-trusted", L, "networks: list", ProxyTrustedText, implemented: true),
        Server(),
        Acl("acl", "Access control list applied to every connection."),

        // Mailutils capabilities loaded by imap4d.
        Block("auth", null, "Authentication and authorization modules.", implemented: true,
        [
            Statement("authentication", L, "modules: list", "Authentication modules, tried in order (a list, or names separated by colons; `clear` empties the list).", implemented: true),
            Statement("authorization", L, "modules: list", "Modules that find the account (uid, gid, home), tried in order; the user must be found by one (a list, or names separated by colons; `clear` empties the list).", implemented: true),
        ]),
        Block("debug", null, "Mailutils debugging.", implemented: false,
        [
            Statement("level", S, "arg: string", "Debugging specification: [!]category[.level,level...] separated by semicolons."),
            Statement("line-info", B, "arg: bool", "Prefix debug messages with source locations."),
        ]),
        Block("mailbox", null, "Where mailboxes are and what they are.", implemented: true,
        [
            Statement("mail-spool", S, "url: string", "URL or directory of the mail spool.", implemented: true),
            Statement("mailbox-pattern", S, "pattern: string", "Pattern for building a user's mailbox URL ($user, $home).", implemented: true),
            Statement("mailbox-type", S, "protocol: string", "Default mailbox type (mbox, maildir, mh).", implemented: true),
            Statement("index-directory", S, "dir: string",
                "Where every mailbox index and FETCH cache of a user is kept ($user, $home; imap4d.NET extension). Default: beside the mailbox when its directory is private to the user, else $home/.imap4d.", implemented: true),
            Statement("folder", S, "dir: string",
                "Default folder directory of other Mailutils programs (mail, movemail). GNU imap4d 3.15 does not use it: the personal prefix \"\" is the home directory unless a namespace block says otherwise."),
            Statement("autodetect-accuracy", S, "n: number", "Accuracy of mailbox format detection: a number, auto, fast or minimal."),
        ]),
        Block("locking", null, "Mailbox locking.", implemented: false,
        [
            Statement("type", ConfigValueType.Keyword, "arg: dotlock|external|kernel|null", "Kind of locker to use.", keywords: ["dotlock", "external", "kernel", "null", "default"]),
            Statement("retry-count", N, "arg: number", "How many times to try acquiring a lock."),
            Statement("retry-sleep", T, "arg: interval", "Time to wait between two attempts."),
            Statement("retry-timeout", T, "arg: interval", "Older name of retry-sleep."),
            Statement("expire-timeout", T, "arg: interval", "Consider a lock older than this stale."),
            Statement("external-locker", S, "prog: string", "External locker program."),
            Statement("pid-check", B, "arg: bool", "Consider a lock stale when the process that holds it is gone."),
            Statement("flags", S, "arg: string", "Older locker flags: E=external, R=retry, T=time, P=pid."),
        ]),
        Block("logging", null, "Where and how diagnostics are logged.", implemented: true,
        [
            Statement("syslog", B, "arg: bool", "Send diagnostics to syslog (otherwise to stderr).", implemented: true),
            Statement("print-severity", B, "arg: bool", "Print the severity of each message.", implemented: true),
            Statement("severity", ConfigValueType.Keyword, "arg: debug|info|notice|warning|error|crit|alert|emerg",
                "Log only messages of this severity or higher.", implemented: true, keywords: Severities),
            Statement("facility", S, "arg: auth|authpriv|mail|local0-local7|<number>", "Syslog facility.", implemented: true),
            Statement("session-id", B, "arg: bool", "Prefix each message with the session ID.", implemented: true),
            Statement("tag", S, "arg: string", "Tag syslog messages with this string.", implemented: true),
        ]),
        Block("pam", null, "PAM authentication.", implemented: true,
        [
            Statement("service", S, "name: string", "PAM service name (default imap4d).", implemented: true),
            Statement("timeout", T, "arg: interval", "Longest wait for one PAM authentication (imap4d.NET extension; default 30 seconds).", implemented: true),
        ]),
        Block("virtdomain", null, "Virtual mail domains (passwd files per domain).", implemented: false,
        [
            Statement("passwd-dir", S, "dir: string", "Directory holding the per-domain passwd files."),
        ]),
        Block("gsasl", null, "GNU SASL authentication.", implemented: false,
        [
            Statement("enable", B, "arg: bool", "Enable GSASL."),
            Statement("cram-passwd", S, "file: string", "Password file for CRAM-MD5."),
            Statement("service", S, "name: string", "SASL service name."),
            Statement("realm", S, "name: string", "SASL realm."),
            Statement("hostname", S, "name: string", "SASL host name."),
            Statement("anonymous-user", S, "name: string", "User for anonymous logins."),
        ]),
        Block("sql", null, "SQL user database.", implemented: false, [], freeForm: true),
        Block("ldap", null, "LDAP user database.", implemented: false, [], freeForm: true),
        Block("radius", null, "RADIUS authentication.", implemented: false, [], freeForm: true),

        // This daemon's additions.
        Block("virtual-users", null, "Virtual users (imap4d.NET extension).", implemented: true,
        [
            Statement("file", S, "file: string", "A passwd-format file of virtual users: name:password-hash:uid:gid:gecos:home:shell.", implemented: true),
        ]),
        Block("filter", null, "A program run on every message delivered by --deliver or LMTP: it names the folder and adds flags (imap4d.NET extension).", implemented: true,
        [
            Statement("command", S, "command: string",
                "The filter's command line, run without a shell; {account_name}, {sender}, {source_ip}, {source_host}, {msg_id} and {auth_user} are expanded in its arguments. "
                + "The message is its standard input; the first line it prints names the folder (empty: the default), further lines are flags and keywords to set.", implemented: true),
            Statement("timeout", T, "arg: interval", "Longest run of the filter; after it the message goes to INBOX unfiltered (default 10 seconds).", implemented: true),
            Statement("user-command-file", S, "file: string",
                "A file, relative to the user's home, whose first line is that user's own filter command line, run as the user instead of `command`.", implemented: true),
            Statement("quarantine-header", S, "header: string",
                "A header field \"Name: value\" that marks a message as quarantined: it goes to the folder with the \\Junk special use (default \"X-Spam-Flag: YES\"; \"\" for none).", implemented: true),
        ]),
        Block("limits", null, "Protocol limits (imap4d.NET extension).", implemented: true,
        [
            Statement("max-line-length", N, "bytes: number", "Longest command line, literals excluded.", implemented: true),
            Statement("max-literal-size", N, "bytes: number", "Largest literal outside APPEND.", implemented: true),
            Statement("max-append-size", N, "bytes: number", "Largest message APPEND accepts.", implemented: true),
            Statement("max-nesting-depth", N, "levels: number", "Deepest nesting of parenthesized lists.", implemented: true),
            Statement("max-arguments", N, "count: number", "Most arguments in one command.", implemented: true),
            Statement("max-bad-commands", N, "count: number", "Consecutive bad commands before the session is closed.", implemented: true),
        ]),
        Quota(),
    ];

    private static ConfigSchemaEntry Namespace() =>
        Block("namespace", "personal | other | shared", "Define a namespace (RFC 2342).", implemented: true,
        [
            Statement("mailbox-mode", ConfigValueType.MailboxMode, "mode: g(+|=)[wr]+,o(+|=)[wr]+",
                "Permissions for group and others on mailboxes created in this namespace.", implemented: true),
            Block("prefix", "string", "Define one prefix of the namespace.", implemented: true,
            [
                Statement("directory", S, "dir: string", "Directory holding the mailboxes; $user and $home are expanded at login.", implemented: true),
                Statement("delimiter", S, "arg: character", "Hierarchy delimiter character.", implemented: true),
                Statement("mailbox-type", S, "type: string", "Type of the mailboxes under this prefix.", implemented: true),
                Statement("layout", ConfigValueType.Keyword, "arg: fs|maildir++",
                    "How folders map to directories: a directory tree (fs, the default) or Maildir++ dot folders ROOT/.A.B (imap4d.NET extension).",
                    implemented: true, keywords: ["fs", "maildir++"]),
                Statement("mailbox-mode", ConfigValueType.MailboxMode, "mode: g(+|=)[wr]+,o(+|=)[wr]+",
                    "Permissions of new mailboxes under this prefix (imap4d.NET extension; overrides the namespace's).", implemented: true),
            ], labelType: S),
        ], labelType: ConfigValueType.Keyword, keywords: NamespaceKinds);

    private static ConfigSchemaEntry[] QuotaLimits() =>
    [
        Statement("storage", S, "size: bytes[K|M|G|T]", "Largest total RFC822.SIZE of the root's messages (STORAGE).", implemented: true),
        Statement("messages", N, "count: number", "Most messages in the root's mailboxes (MESSAGE).", implemented: true),
    ];

    private static ConfigSchemaEntry QuotaRoot() =>
        Block("root", "prefix: string", "A quota root of its own for the mailboxes whose names begin with this namespace prefix.", implemented: true,
            QuotaLimits(), labelType: S);

    private static ConfigSchemaEntry Quota() =>
        Block("quota", null,
            "RFC 9208 quotas (imap4d.NET extension). The statements here limit the quota root \"\" (every personal mailbox not under another root).",
            implemented: true,
        [
            .. QuotaLimits(),
            Statement("file-system", B, "arg: bool",
                "Report the user's file system quota (quotactl) as a quota root of each file system that has one, and refuse writes that would exceed it (default yes).", implemented: true),
            QuotaRoot(),
            Block("user", "name: string", "Limits for one user, replacing those above resource by resource.", implemented: true,
                [.. QuotaLimits(), QuotaRoot()], labelType: S),
        ]);

    private static ConfigSchemaEntry Server() =>
        Block("server", "ipaddr[:port]", "A listening address in daemon mode, with its own settings.", implemented: true,
        [
            Statement("single-process", B, "arg: bool", "Serve connections without forking a child.", implemented: true),
            Statement("transcript", B, "arg: bool", "Log the session transcript of this server.", implemented: true),
            Statement("timeout", T, "arg: interval", "Idle timeout of this server.", implemented: true),
            Statement("login-timeout", T, "arg: interval", LoginTimeoutText, implemented: true),
            Statement("proxy-protocol", B, "arg: bool", ProxyProtocolText, implemented: true),
            Statement("proxy-trusted", L, "networks: list", ProxyTrustedText, implemented: true),
            Acl("acl", "Access control list of this server, checked before the global one."),
            Statement("backlog", N, "number", "Size of the queue of pending connections.", implemented: true),
            Statement("protocol", ConfigValueType.Keyword, "arg: imap|lmtp",
                "What this server speaks: imap (the default) or lmtp, local delivery by RFC 2033 LMTP; the label may then be a Unix socket path (imap4d.NET extension).",
                implemented: true, keywords: ["imap", "lmtp"]),
            Statement("tls-mode", ConfigValueType.Keyword, "arg: false|true|ondemand|stls|required|connection",
                "Kind of TLS this server uses (see the global tls-mode); when unset: the global tls-mode, else ondemand if this block has a certificate of its own.",
                implemented: true, keywords: TlsModes),
            Tls("tls", "TLS settings of this server; with an ssl-certificate-file it replaces the global tls block."),
        ], labelType: ConfigValueType.HostPort);

    private static ConfigSchemaEntry Tls(string name, string description) =>
        Block(name, null, description, implemented: true,
        [
            Statement("ssl-certificate-file", S, "file: string", "The server certificate (PEM), optionally followed by its chain.", implemented: true),
            Statement("ssl-key-file", S, "file: string", "The certificate's private key (PEM, unencrypted); default: the certificate file.", implemented: true),
            Statement("ssl-ca-file", S, "file: string", "Certificate authorities for client certificates (PEM; loaded and checked, client certificates are not requested).", implemented: true),
            Statement("ssl-priorities", S, "arg: string",
                "GnuTLS priority string; its protocol versions (e.g. NORMAL:-VERS-TLS1.2) are applied, other parts are ignored with a warning.", implemented: true),
            Statement("handshake-timeout", T, "arg: interval", "Time allowed for the TLS handshake (default 10 seconds).", implemented: true),
            Statement("protocols", L, "versions: list",
                "TLS versions to enable: tls1.2, tls1.3 (default both; overrides the versions of ssl-priorities) (imap4d.NET extension).", implemented: true),
        ]);

    private const string LoginTimeoutText =
        "Close a session not yet authenticated after this idle time; the shorter of this and `timeout` applies (imap4d.NET extension; default 60 seconds).";

    private const string ProxyProtocolText =
        "Expect a PROXY protocol (v1 or v2) header from a trusted proxy before the greeting; the client address it carries is used for logging, acl and preauth (imap4d.NET extension).";

    private const string ProxyTrustedText =
        "Networks (ADDR, ADDR/LEN, ADDR/NETMASK) allowed to send the PROXY header; connections from other peers are refused (imap4d.NET extension).";

    private static ConfigSchemaEntry Acl(string name, string description) =>
        Block(name, null, description, implemented: true,
        [
            Statement("allow", A, "[from] any|<addr>[/<len>|/<netmask>]", "Allow connections from these addresses.", implemented: true),
            Statement("deny", A, "[from] any|<addr>[/<len>|/<netmask>]", "Deny connections from these addresses.", implemented: true),
            Statement("log", A, "[from] any|<addr>[/<len>|/<netmask>] [<text: string>]",
                "Log the connection (the address, or the text with ${address}, ${port}, ${family}, ${aclno} expanded).", implemented: true),
            Statement("exec", A, "[from] any|<addr>[/<len>|/<netmask>] <program: string>", "Start a program (variables as for log), without waiting for it.", implemented: true),
            Statement("ifexec", A, "[from] any|<addr>[/<len>|/<netmask>] <program: string>",
                "Run a program: exit status 0 allows, 1 denies, anything else goes on to the next control.", implemented: true),
        ]);

    private static ConfigSchemaEntry Statement(
        string name, ConfigValueType type, string argument, string description,
        bool implemented = false, IReadOnlyList<string>? keywords = null) =>
        new()
        {
            Name = name,
            Type = type,
            Argument = argument,
            Description = description,
            Implemented = implemented,
            Keywords = keywords,
        };

    private static ConfigSchemaEntry Block(
        string name, string? label, string description, bool implemented, ConfigSchemaEntry[] children,
        ConfigValueType? labelType = null, IReadOnlyList<string>? keywords = null, bool freeForm = false,
        ConfigValueType? simpleType = null) =>
        new()
        {
            Name = name,
            Type = ConfigValueType.Block,
            Argument = label,
            Description = description,
            Implemented = implemented,
            Children = children,
            LabelType = labelType,
            Keywords = keywords,
            FreeForm = freeForm,
            SimpleType = simpleType,
        };
}
