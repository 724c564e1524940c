namespace Imap4d.Config;

/// <summary>
/// Collects the statements of one `tls` block. `protocols` wins over the versions of
/// `ssl-priorities` whatever their order; a block that leaves no version enabled is an error.
/// </summary>
internal sealed class TlsSettingsBuilder
{
    private readonly List<string> _warnings;
    private readonly SourceLocation _location;
    private TlsSettings _settings;
    private bool _explicitProtocols;

    /// <param name="start">The block's values so far (a second global `tls` block amends the first).</param>
    public TlsSettingsBuilder(TlsSettings start, SourceLocation location, List<string> warnings)
    {
        _settings = start;
        _location = location;
        _warnings = warnings;
    }

    /// <summary>Where the block starts.</summary>
    public SourceLocation Location => _location;

    /// <summary>Applies one statement of the block; <paramref name="name"/> is its last path element.</summary>
    public void Apply(string name, ConfigNode node, object value)
    {
        switch (name)
        {
            case "ssl-certificate-file": _settings = _settings with { CertificateFile = (string)value }; break;
            case "ssl-key-file": _settings = _settings with { KeyFile = (string)value }; break;
            case "ssl-ca-file": _settings = _settings with { CaFile = (string)value }; break;
            case "handshake-timeout": _settings = _settings with { HandshakeTimeout = CheckTimeout(node, (TimeSpan)value) }; break;
            case "ssl-priorities":
                var fromPriorities = TlsPriorities.FromGnuTls((string)value, message => Warn(node, "ssl-priorities: " + message));
                _settings = _settings with { Priorities = (string)value, Protocols = _explicitProtocols ? _settings.Protocols : fromPriorities };
                break;
            case "protocols":
                try
                {
                    _settings = _settings with { Protocols = TlsPriorities.FromNames((IReadOnlyList<string>)value, message => Warn(node, message)) };
                    _explicitProtocols = true;
                }
                catch (FormatException e)
                {
                    throw new ConfigException(node.Location, e.Message);
                }

                break;
            default:
                throw new InvalidOperationException($"schema marks \"tls.{name}\" implemented but nothing binds it");
        }
    }

    public TlsSettings Build() => _settings.Protocols == System.Security.Authentication.SslProtocols.None
        ? throw new ConfigException(_location, "tls block leaves no protocol version enabled (TLS 1.2 and 1.3 are supported)")
        : _settings;

    private void Warn(ConfigNode node, string message) => _warnings.Add($"{node.Location}: warning: {message}");

    private static TimeSpan CheckTimeout(ConfigNode node, TimeSpan timeout) =>
        timeout > TimeSpan.Zero ? timeout : throw new ConfigException(node.Location, "handshake-timeout must be longer than zero");
}
