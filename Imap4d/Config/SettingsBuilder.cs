namespace Imap4d.Config;

/// <summary>
/// Maps checked statements of implemented schema entries onto <see cref="ServerSettings"/>.
/// Later statements override earlier ones, except where mailutils accumulates
/// (namespace prefixes, server blocks, `auth authentication`).
/// </summary>
internal sealed class SettingsBuilder
{
    private readonly NamespaceSettingsBuilder _namespaces = new();
    private readonly QuotaSettingsBuilder _quota = new();
    private readonly List<ListenerSettings> _servers = [];
    private readonly List<string> _warnings;
    private ServerSettings _settings = new();
    private LoggingSettings _logging = new();
    private ProtocolLimits _limits = new();
    private List<string>? _authentication;
    private List<string>? _authorization;
    private AuthSettings _auth = new();
    private ListenerSettings? _server;
    private TlsSettings _tls = new();
    private TlsMode? _tlsMode;
    private TlsSettingsBuilder? _tlsBlock;
    private List<AclEntry>? _acl;

    public SettingsBuilder(List<string> warnings) => _warnings = warnings;

    public void BeginBlock(string path, ConfigNode node, object? label)
    {
        _quota.BeginBlock(path, label);
        switch (path)
        {
            case "namespace":
                _namespaces.BeginNamespace((string)label!);
                break;
            case "namespace.prefix":
                _namespaces.BeginPrefix((string)label!, node.Location);
                break;
            case "server":
                var (address, port) = ((string, int?))label!;
                _server = new ListenerSettings(address, port ?? 0); // 0: the global `port`, known at the end

                break;
            case "tls":
                _tlsBlock = new TlsSettingsBuilder(_tls, node.Location, _warnings);
                break;
            case "server.tls":
                _tlsBlock = new TlsSettingsBuilder(_server!.Tls ?? new TlsSettings(), node.Location, _warnings);
                break;
            case "acl":
            case "server.acl":
                _acl = [];
                break;
        }
    }

    public void EndBlock(string path)
    {
        _quota.EndBlock(path);
        switch (path)
        {
            case "namespace.prefix":
                _namespaces.EndPrefix();
                break;
            case "server":
                AddServer(_server!);
                _server = null;
                break;
            case "tls":
                _tls = _tlsBlock!.Build();
                _tlsBlock = null;
                break;
            case "server.tls":
                var own = _tlsBlock!.Build();
                if (own.CertificateFile is null)
                {
                    _warnings.Add($"{_tlsBlock.Location}: warning: a server's tls block without ssl-certificate-file is not used; the global tls block applies");
                }

                _server = _server! with { Tls = own };
                _tlsBlock = null;
                break;
            case "acl":
                _settings = _settings with { Gate = _settings.Gate with { Acl = _settings.Gate.Acl.Append(new AccessControlList(_acl!)) } };
                _acl = null;
                break;
            case "server.acl":
                _server = _server! with { Acl = (_server.Acl ?? AccessControlList.Empty).Append(new AccessControlList(_acl!)) };
                _acl = null;
                break;
        }
    }

    public void Apply(string path, ConfigNode node, object value)
    {
        switch (path)
        {
            case "special-use": ApplySpecialUse(node, (IReadOnlyList<ConfigValue>)value); break;
            case "login-disabled": _settings = _settings with { LoginDisabled = (bool)value }; break;
            case "id-fields": _settings = _settings with { IdFields = (IReadOnlyList<string>)value }; break;
            case "timeout": _settings = _settings with { IdleTimeout = (TimeSpan)value }; break;
            case "transcript": _settings = _settings with { Transcript = (bool)value }; break;
            case "preauth": ApplyPreauth(node, (string)value); break;
            case "preauth-only": _settings = _settings with { Preauth = _settings.Preauth with { Only = (bool)value } }; break;
            case "ident-keyfile": _settings = _settings with { Preauth = _settings.Preauth with { IdentKeyFile = (string)value } }; break;
            case "ident-encrypt-only": _settings = _settings with { Preauth = _settings.Preauth with { IdentEncryptOnly = (bool)value } }; break;
            case "login-timeout": _settings = _settings with { LoginTimeout = (TimeSpan)value }; break;
            case "proxy-protocol": _settings = _settings with { Gate = _settings.Gate with { ProxyProtocol = (bool)value } }; break;
            case "proxy-trusted": _settings = _settings with { Gate = _settings.Gate with { ProxyTrusted = ParseNetworks(node, (IReadOnlyList<string>)value) } }; break;
            case "acl.allow" or "acl.deny" or "acl.log" or "acl.exec" or "acl.ifexec"
                or "server.acl.allow" or "server.acl.deny" or "server.acl.log" or "server.acl.exec" or "server.acl.ifexec":
                _acl!.Add(ParseAclEntry(node, (IReadOnlyList<ConfigValue>)value));
                break;
            case "mode": _settings = _settings with { Mode = (string)value == "daemon" ? "daemon" : "inetd" }; break;
            case "port": _settings = _settings with { Port = (int)value }; break;
            case "foreground": _settings = _settings with { Foreground = (bool)value }; break;
            case "max-children": _settings = _settings with { MaxChildren = ToInt(node, value) }; break;
            case "pidfile": _settings = _settings with { Daemon = _settings.Daemon with { PidFile = (string)value } }; break;
            case "prestart-children": _settings = _settings with { Daemon = _settings.Daemon with { PrestartChildren = ToInt(node, value) } }; break;
            case "login-process": _settings = _settings with { Daemon = _settings.Daemon with { LoginProcess = (bool)value } }; break;
            case "login-user": _settings = _settings with { Daemon = _settings.Daemon with { LoginUser = (string)value } }; break;
            case "sessions-per-user-process": _settings = _settings with { Daemon = _settings.Daemon with { SessionsPerUserProcess = ToInt(node, value) } }; break;
            case "user-process-linger": _settings = _settings with { Daemon = _settings.Daemon with { UserProcessLinger = (TimeSpan)value } }; break;
            case "max-login-connections": _settings = _settings with { Daemon = _settings.Daemon with { MaxLoginConnections = ToInt(node, value) } }; break;

            case "server.transcript": _server = _server! with { Transcript = (bool)value }; break;
            case "server.timeout": _server = _server! with { IdleTimeout = (TimeSpan)value }; break;
            case "server.single-process": _server = _server! with { SingleProcess = (bool)value }; break;
            case "server.backlog": _server = _server! with { Backlog = ToInt(node, value) }; break;
            case "server.protocol": _server = _server! with { Protocol = (string)value == "lmtp" ? ListenerProtocol.Lmtp : ListenerProtocol.Imap }; break;
            case "filter.command": _settings = _settings with { Filter = _settings.Filter with { Command = CheckNotEmpty(node, (string)value) } }; break;
            case "filter.timeout": _settings = _settings with { Filter = _settings.Filter with { Timeout = CheckPositive(node, (TimeSpan)value) } }; break;
            case "filter.user-command-file": _settings = _settings with { Filter = _settings.Filter with { UserCommandFile = CheckNotEmpty(node, (string)value) } }; break;
            case "filter.quarantine-header": _settings = _settings with { Filter = _settings.Filter with { QuarantineHeader = CheckQuarantineHeader(node, (string)value) } }; break;
            case "server.tls-mode": _server = _server! with { TlsMode = TlsSettings.ParseMode((string)value) }; break;
            case "server.login-timeout": _server = _server! with { LoginTimeout = (TimeSpan)value }; break;
            case "server.proxy-protocol": _server = _server! with { ProxyProtocol = (bool)value }; break;
            case "server.proxy-trusted": _server = _server! with { ProxyTrusted = ParseNetworks(node, (IReadOnlyList<string>)value) }; break;

            case "tls-mode": _tlsMode = TlsSettings.ParseMode((string)value); break;
            case var tls when tls.StartsWith("tls.", StringComparison.Ordinal) || tls.StartsWith("server.tls.", StringComparison.Ordinal):
                _tlsBlock!.Apply(tls[(tls.LastIndexOf('.') + 1)..], node, value);
                break;

            case "namespace.mailbox-mode": _namespaces.SetNamespaceMode((int)value); break;
            case "namespace.prefix.directory": _namespaces.SetDirectory((string)value); break;
            case "namespace.prefix.delimiter": _namespaces.SetDelimiter((string)value, node); break;
            case "namespace.prefix.mailbox-type": _namespaces.SetMailboxType((string)value, node); break;
            case "namespace.prefix.mailbox-mode": _namespaces.SetPrefixMode((int)value); break;
            case "namespace.prefix.layout": _namespaces.SetLayout((string)value); break;

            case "logging.syslog": _logging = _logging with { Syslog = (bool)value }; break;
            case "logging.print-severity": _logging = _logging with { PrintSeverity = (bool)value }; break;
            case "logging.severity": _logging = _logging with { Severity = (string)value }; break;
            case "logging.facility": _logging = _logging with { Facility = CheckFacility(node, (string)value) }; break;
            case "logging.session-id": _logging = _logging with { SessionId = (bool)value }; break;
            case "logging.tag": _logging = _logging with { Tag = (string)value }; break;

            case "auth.authentication": ApplyModuleList(ref _authentication, (IReadOnlyList<string>)value); break;
            case "auth.authorization": ApplyModuleList(ref _authorization, (IReadOnlyList<string>)value); break;
            case "pam.service": _auth = _auth with { PamService = CheckNotEmpty(node, (string)value) }; break;
            case "pam.timeout": _auth = _auth with { PamTimeout = CheckPositive(node, (TimeSpan)value) }; break;

            case "allow-users": _auth = _auth with { AllowUsers = Append(_auth.AllowUsers, value) }; break;
            case "deny-users": _auth = _auth with { DenyUsers = Append(_auth.DenyUsers, value) }; break;
            case "allow-groups": _auth = _auth with { AllowGroups = Append(_auth.AllowGroups, value) }; break;
            case "deny-groups": _auth = _auth with { DenyGroups = Append(_auth.DenyGroups, value) }; break;
            case "create-home-dir": _auth = _auth with { Privileges = _auth.Privileges with { CreateHomeDir = (bool)value } }; break;
            case "home-dir-mode": _auth = _auth with { Privileges = _auth.Privileges with { HomeDirMode = CheckHomeDirMode(node, (int)value) } }; break;
            case "retain-groups": _auth = _auth with { Privileges = _auth.Privileges with { RetainGroups = Append(_auth.Privileges.RetainGroups, value) } }; break;
            case "login-failure-delay": _auth = _auth with { FailureDelay = CheckDelay(node, (TimeSpan)value) }; break;

            case "lockout.max-failures": _auth = _auth with { Lockout = _auth.Lockout with { MaxFailures = CheckMaxFailures(node, value) } }; break;
            case "lockout.max-users": _auth = _auth with { Lockout = _auth.Lockout with { MaxUsers = CheckMaxFailures(node, value) } }; break;
            case "lockout.max-delay": _auth = _auth with { Lockout = _auth.Lockout with { MaxDelay = CheckDelay(node, (TimeSpan)value) } }; break;
            case "lockout.failure-interval": _auth = _auth with { Lockout = _auth.Lockout with { FailureInterval = CheckDelay(node, (TimeSpan)value) } }; break;
            case "lockout.window": _auth = _auth with { Lockout = _auth.Lockout with { Window = CheckPositive(node, (TimeSpan)value) } }; break;
            case "lockout.lock-time": _auth = _auth with { Lockout = _auth.Lockout with { LockTime = CheckPositive(node, (TimeSpan)value) } }; break;
            case "lockout.directory": _auth = _auth with { Lockout = _auth.Lockout with { Directory = CheckAbsolute(node, (string)value) } }; break;

            case "login-names.strip-domain": _auth = _auth with { LoginNames = _auth.LoginNames with { StripDomains = Append(_auth.LoginNames.StripDomains, value)! } }; break;
            case "login-names.lower-case": _auth = _auth with { LoginNames = _auth.LoginNames with { LowerCase = (bool)value } }; break;
            case "login-names.map-file": _auth = _auth with { LoginNames = _auth.LoginNames with { MapFile = CheckAbsolute(node, (string)value) } }; break;
            case "impersonation.administrators": _auth = _auth with { Impersonation = _auth.Impersonation with { Administrators = Append(_auth.Impersonation.Administrators, value)! } }; break;
            case "impersonation.separator": _auth = _auth with { Impersonation = _auth.Impersonation with { Separator = CheckSeparator(node, (string)value) } }; break;
            case "mailbox.mail-spool": _settings = _settings with { Mailbox = _settings.Mailbox with { MailSpool = (string)value } }; break;
            case "mailbox.mailbox-pattern": _settings = _settings with { Mailbox = _settings.Mailbox with { MailboxPattern = (string)value } }; break;
            case "mailbox.index-directory": _settings = _settings with { Mailbox = _settings.Mailbox with { IndexDirectory = (string)value } }; break;
            case "mailbox.mailbox-type": _settings = _settings with { Mailbox = _settings.Mailbox with { MailboxType = CheckMailboxType(node, (string)value) } }; break;
            case "virtual-users.file": _settings = _settings with { UserDatabaseFile = (string)value }; break;

            case "limits.max-line-length": _limits = _limits with { MaxLineLength = ToInt(node, value) }; break;
            case "limits.max-literal-size": _limits = _limits with { MaxLiteralSize = (long)value }; break;
            case "limits.max-append-size": _limits = _limits with { MaxAppendSize = (long)value }; break;
            case "limits.max-nesting-depth": _limits = _limits with { MaxNestingDepth = ToInt(node, value) }; break;
            case "limits.max-arguments": _limits = _limits with { MaxArguments = ToInt(node, value) }; break;
            case "limits.max-bad-commands": _limits = _limits with { MaxBadCommands = ToInt(node, value) }; break;

            case var quota when quota.StartsWith("quota.", StringComparison.Ordinal): _quota.Apply(quota, node, value); break;

            default:
                throw new InvalidOperationException($"schema marks \"{path}\" implemented but nothing binds it");
        }
    }

    public ServerSettings Build() => _settings with
    {
        Namespaces = _namespaces.Build(),
        Quota = _quota.Build(),
        Logging = _logging,
        Limits = _limits,
        AuthenticationModules = _authentication ?? _settings.AuthenticationModules,
        Auth = _authorization is null ? _auth : _auth with { AuthorizationModules = _authorization },
        Servers = _servers.Select(s => s.Port == 0 ? s with { Port = _settings.Port } : s).ToList(),
        Tls = _tls with { ConfiguredMode = _tlsMode },
    };

    /// <summary>A second block for the same address amends the first, as a later statement would.</summary>
    private void AddServer(ListenerSettings server)
    {
        var index = _servers.FindIndex(s => s.Address == server.Address && s.Port == server.Port);
        if (index < 0)
        {
            _servers.Add(server);
            return;
        }

        var earlier = _servers[index];
        _servers[index] = earlier with
        {
            Transcript = server.Transcript ?? earlier.Transcript,
            IdleTimeout = server.IdleTimeout ?? earlier.IdleTimeout,
            SingleProcess = server.SingleProcess ?? earlier.SingleProcess,
            Backlog = server.Backlog ?? earlier.Backlog,
            Protocol = server.Protocol == ListenerProtocol.Lmtp ? server.Protocol : earlier.Protocol,
            TlsMode = server.TlsMode ?? earlier.TlsMode,
            Tls = server.Tls ?? earlier.Tls,
            LoginTimeout = server.LoginTimeout ?? earlier.LoginTimeout,
            Acl = server.Acl is null ? earlier.Acl : (earlier.Acl ?? AccessControlList.Empty).Append(server.Acl),
            ProxyProtocol = server.ProxyProtocol ?? earlier.ProxyProtocol,
            ProxyTrusted = server.ProxyTrusted ?? earlier.ProxyTrusted,
        };
    }

    /// <summary>
    /// `authentication` and `authorization`: the first statement replaces the built-in list, later
    /// ones append; each item may hold several names separated by colons, and `clear` empties
    /// the list (as mailutils).
    /// </summary>
    private static void ApplyModuleList(ref List<string>? list, IReadOnlyList<string> items)
    {
        list ??= [];
        foreach (var name in items.SelectMany(item => item.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            if (name == "clear")
            {
                list.Clear();
            }
            else
            {
                list.Add(name);
            }
        }
    }

    /// <summary>List statements accumulate when repeated, as mailutils lists do.</summary>
    private static IReadOnlyList<string>? Append(IReadOnlyList<string>? earlier, object value)
    {
        var items = ((IReadOnlyList<string>)value).Where(item => item.Length > 0);
        return earlier is null ? items.ToList() : earlier.Concat(items).ToList();
    }

    /// <summary>"Name: value", or "" for none.</summary>
    private static string? CheckQuarantineHeader(ConfigNode node, string value) =>
        value.Length == 0 ? null
        : value.IndexOf(':') > 0 ? value
        : throw new ConfigException(node.Location, "quarantine-header takes \"Name: value\" (or \"\" for none)");

    private static string CheckNotEmpty(ConfigNode node, string value) =>
        value.Length > 0 ? value : throw new ConfigException(node.Location, $"\"{node.Name}\" cannot be empty");

    private static string CheckAbsolute(ConfigNode node, string path) =>
        Path.IsPathFullyQualified(path) ? path : throw new ConfigException(node.Location, $"\"{node.Name}\" needs an absolute path");

    private static TimeSpan CheckPositive(ConfigNode node, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new ConfigException(node.Location, $"\"{node.Name}\" must be longer than zero");

    /// <summary>A delay of more than a minute would hold a connection for nothing but annoyance.</summary>
    private static TimeSpan CheckDelay(ConfigNode node, TimeSpan value) =>
        value <= TimeSpan.FromMinutes(1) ? value : throw new ConfigException(node.Location, $"{node.Name} is at most 60 seconds");

    private static int CheckMaxFailures(ConfigNode node, object value) =>
        (long)value <= 1000 ? (int)(long)value : throw new ConfigException(node.Location, $"{node.Name} is at most 1000");

    private static int CheckHomeDirMode(ConfigNode node, int mode) =>
        (mode & ~0x1ff) == 0 ? mode : throw new ConfigException(node.Location, "home-dir-mode takes permission bits only (at most 0777)");

    private static char CheckSeparator(ConfigNode node, string value) =>
        value.Length == 1 && !char.IsLetterOrDigit(value[0]) && value[0] is not ('.' or '-' or '_' or '@') && !char.IsWhiteSpace(value[0])
            ? value[0]
            : throw new ConfigException(node.Location, "the impersonation separator must be one character that cannot appear in a user name");

    /// <summary>
    /// `stdio`, `ident`, `ident://:PORT`, `prog:///PROGRAM [ARGS]` or `/PROGRAM [ARGS]` (mailutils'
    /// forms); the program's arguments keep their ${variables} for expansion per connection.
    /// </summary>
    private void ApplyPreauth(ConfigNode node, string mode)
    {
        var preauth = _settings.Preauth;
        if (mode == "stdio")
        {
            preauth = preauth with { Mode = PreauthMode.Stdio };
        }
        else if (mode == "ident" || mode.StartsWith("ident://", StringComparison.Ordinal))
        {
            preauth = preauth with { Mode = PreauthMode.Ident, IdentPort = IdentPort(node, mode) };
        }
        else if (mode.StartsWith('/') || mode.StartsWith("prog:///", StringComparison.Ordinal))
        {
            preauth = preauth with { Mode = PreauthMode.Program, Program = mode.StartsWith('/') ? mode : mode["prog://".Length..] };
        }
        else
        {
            throw new ConfigException(node.Location, $"unknown preauth scheme \"{mode}\" (expected stdio, ident[://:PORT] or prog:///PROGRAM)");
        }

        _settings = _settings with { Preauth = preauth };
    }

    /// <summary>The port of `ident://[HOST]:PORT` (the host part is ignored, as GNU does), else 113.</summary>
    private static int IdentPort(ConfigNode node, string mode)
    {
        var rest = mode.Length > "ident://".Length ? mode["ident://".Length..] : "";
        int colon = rest.LastIndexOf(':');
        if (colon < 0)
        {
            return rest.Length == 0 ? 113 : throw new ConfigException(node.Location, $"invalid ident URL \"{mode}\" (expected ident://:PORT)");
        }

        var port = rest[(colon + 1)..];
        return port is "auth" or "ident" ? 113
            : ConfigValueParsers.ParsePort(port) ?? throw new ConfigException(node.Location, $"invalid port in \"{mode}\"");
    }

    private static IReadOnlyList<IpNetwork> ParseNetworks(ConfigNode node, IReadOnlyList<string> items) =>
        items.SelectMany(item => item.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(item => IpNetwork.TryParse(item, out var network, out var error) ? network : throw new ConfigException(node.Location, error))
            .ToList();

    private static AclEntry ParseAclEntry(ConfigNode node, IReadOnlyList<ConfigValue> values)
    {
        try
        {
            return AclEntryParser.Parse(node.Name, values);
        }
        catch (FormatException e)
        {
            throw new ConfigException(node.Location, e.Message);
        }
    }

    /// <summary>The RFC 6154 attributes a mailbox can be given.</summary>
    private static IReadOnlyList<string> SpecialUseAttributes => Storage.SpecialUse.Attributes;

    private void ApplySpecialUse(ConfigNode node, IReadOnlyList<ConfigValue> values)
    {
        if (values.Count != 2 || values[0].Text is not { Length: > 0 } mailbox || values[1].Text is not { } attribute)
        {
            throw new ConfigException(node.Location, "special-use takes a mailbox name and an attribute");
        }

        string? known = SpecialUseAttributes.FirstOrDefault(a => a.Equals(attribute, StringComparison.OrdinalIgnoreCase)
                                                               || a[1..].Equals(attribute, StringComparison.OrdinalIgnoreCase));
        if (known is null)
        {
            throw new ConfigException(node.Location,
                $"unknown special-use attribute \"{attribute}\" (expected one of {string.Join(", ", SpecialUseAttributes)})");
        }

        var map = new Dictionary<string, string>(_settings.SpecialUse) { [mailbox] = known };
        _settings = _settings with { SpecialUse = map };
    }

    private static string CheckMailboxType(ConfigNode node, string type) =>
        NamespaceSettingsBuilder.LocalMailboxTypes.Contains(type)
            ? type
            : throw new ConfigException(node.Location,
                $"unknown local mailbox type \"{type}\" (expected {string.Join(", ", NamespaceSettingsBuilder.LocalMailboxTypes)})");

    private static string CheckFacility(ConfigNode node, string facility)
    {
        var name = facility.ToLowerInvariant();
        return ConfigSchema.Facilities.Contains(name) || (name.Length > 0 && name.All(char.IsAsciiDigit))
            ? name
            : throw new ConfigException(node.Location, $"unknown syslog facility \"{facility}\"");
    }

    private static int ToInt(ConfigNode node, object value) =>
        (long)value <= int.MaxValue ? (int)(long)value : throw new ConfigException(node.Location, $"value of \"{node.Name}\" is too large");
}
