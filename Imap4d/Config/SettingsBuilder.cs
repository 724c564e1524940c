namespace Imap4d.Config;

/// <summary>
/// Maps checked statements of implemented schema entries onto <see cref="ServerSettings"/>.
/// Later statements override earlier ones, except where mailutils accumulates
/// (namespace prefixes, server blocks, `auth authentication`).
/// </summary>
internal sealed class SettingsBuilder
{
    private readonly NamespaceSettingsBuilder _namespaces = new();
    private readonly List<ListenerSettings> _servers = [];
    private readonly List<string> _warnings;
    private ServerSettings _settings = new();
    private LoggingSettings _logging = new();
    private ProtocolLimits _limits = new();
    private List<string>? _authentication;
    private ListenerSettings? _server;

    public SettingsBuilder(List<string> warnings) => _warnings = warnings;

    public void BeginBlock(string path, ConfigNode node, object? label)
    {
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
        }
    }

    public void EndBlock(string path)
    {
        switch (path)
        {
            case "namespace.prefix":
                _namespaces.EndPrefix();
                break;
            case "server":
                AddServer(_server!);
                _server = null;
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
            case "mode": _settings = _settings with { Mode = (string)value == "daemon" ? "daemon" : "inetd" }; break;
            case "port": _settings = _settings with { Port = (int)value }; break;
            case "foreground": _settings = _settings with { Foreground = (bool)value }; break;
            case "max-children": _settings = _settings with { MaxChildren = ToInt(node, value) }; break;
            case "pidfile": _settings = _settings with { Daemon = _settings.Daemon with { PidFile = (string)value } }; break;
            case "prestart-children": _settings = _settings with { Daemon = _settings.Daemon with { PrestartChildren = ToInt(node, value) } }; break;

            case "server.transcript": _server = _server! with { Transcript = (bool)value }; break;
            case "server.timeout": _server = _server! with { IdleTimeout = (TimeSpan)value }; break;
            case "server.single-process": _server = _server! with { SingleProcess = (bool)value }; break;
            case "server.backlog": _server = _server! with { Backlog = ToInt(node, value) }; break;

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

            case "auth.authentication": ApplyAuthentication((IReadOnlyList<string>)value); break;
            case "mailbox.mail-spool": _settings = _settings with { Mailbox = _settings.Mailbox with { MailSpool = (string)value } }; break;
            case "mailbox.mailbox-pattern": _settings = _settings with { Mailbox = _settings.Mailbox with { MailboxPattern = (string)value } }; break;
            case "mailbox.mailbox-type": _settings = _settings with { Mailbox = _settings.Mailbox with { MailboxType = CheckMailboxType(node, (string)value) } }; break;
            case "virtual-users.file": _settings = _settings with { UserDatabaseFile = (string)value }; break;

            case "limits.max-line-length": _limits = _limits with { MaxLineLength = ToInt(node, value) }; break;
            case "limits.max-literal-size": _limits = _limits with { MaxLiteralSize = (long)value }; break;
            case "limits.max-append-size": _limits = _limits with { MaxAppendSize = (long)value }; break;
            case "limits.max-nesting-depth": _limits = _limits with { MaxNestingDepth = ToInt(node, value) }; break;
            case "limits.max-arguments": _limits = _limits with { MaxArguments = ToInt(node, value) }; break;
            case "limits.max-bad-commands": _limits = _limits with { MaxBadCommands = ToInt(node, value) }; break;

            default:
                throw new InvalidOperationException($"schema marks \"{path}\" implemented but nothing binds it");
        }
    }

    public ServerSettings Build() => _settings with
    {
        Namespaces = _namespaces.Build(),
        Logging = _logging,
        Limits = _limits,
        AuthenticationModules = _authentication ?? _settings.AuthenticationModules,
        Servers = _servers.Select(s => s.Port == 0 ? s with { Port = _settings.Port } : s).ToList(),
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
        };
    }

    /// <summary>
    /// The first `authentication` replaces the built-in list, later ones append; each item may
    /// hold several names separated by colons, and `clear` empties the list (as mailutils).
    /// </summary>
    private void ApplyAuthentication(IReadOnlyList<string> items)
    {
        _authentication ??= [];
        foreach (var name in items.SelectMany(item => item.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            if (name == "clear")
            {
                _authentication.Clear();
            }
            else
            {
                _authentication.Add(name);
            }
        }
    }

    /// <summary>`stdio` works; `ident[://:PORT]`, `prog:///PATH` and `/PATH` are recognized but not implemented yet.</summary>
    private void ApplyPreauth(ConfigNode node, string mode)
    {
        if (mode == "stdio")
        {
            _settings = _settings with { Preauth = mode };
            return;
        }

        var scheme = mode.StartsWith('/') ? "prog" : mode.Split("://", 2)[0];
        if (scheme is not ("ident" or "prog"))
        {
            throw new ConfigException(node.Location, $"unknown preauth scheme \"{mode}\" (expected stdio, ident[://:PORT] or prog:///PROGRAM)");
        }

        _warnings.Add($"{node.Location}: warning: preauth mode \"{scheme}\" is not implemented yet; ignored");
    }

    /// <summary>The RFC 6154 attributes a mailbox can be given.</summary>
    private static readonly string[] SpecialUseAttributes = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

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
