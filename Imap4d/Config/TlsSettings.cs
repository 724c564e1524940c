using System.Security.Authentication;

namespace Imap4d.Config;

/// <summary>
/// A `tls { ... }` block (global or of one `server`) together with the `tls-mode` that applies.
/// Only file names are kept here; the certificate is loaded by IO.TlsServerContext.
/// </summary>
public sealed record TlsSettings
{
    /// <summary>The protocol versions enabled when nothing says otherwise: TLS 1.2 and 1.3.</summary>
    public const SslProtocols DefaultProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// `tls-mode` as configured, or null when no statement set it. GNU imap4d then uses no TLS,
    /// except for a `server` block with a certificate of its own, which gets
    /// <see cref="TlsMode.OnDemand"/> (see <see cref="ListenerSettings.ApplyTo"/>).
    /// </summary>
    public TlsMode? ConfiguredMode { get; init; }

    /// <summary>The mode in effect.</summary>
    public TlsMode Mode => ConfiguredMode ?? TlsMode.None;

    /// <summary>`ssl-certificate-file`: PEM certificate, optionally followed by its chain (and the key).</summary>
    public string? CertificateFile { get; init; }

    /// <summary>`ssl-key-file`: PEM private key; null when it is in the certificate file.</summary>
    public string? KeyFile { get; init; }

    /// <summary>`ssl-ca-file`: PEM certificate authorities (loaded and checked; client certificates are not requested).</summary>
    public string? CaFile { get; init; }

    /// <summary>`ssl-priorities` as written, for the log; its version parts are in <see cref="Protocols"/>.</summary>
    public string? Priorities { get; init; }

    /// <summary>Enabled protocol versions, from `ssl-priorities` and `protocols`; never below TLS 1.2.</summary>
    public SslProtocols Protocols { get; init; } = DefaultProtocols;

    /// <summary>`handshake-timeout`: the longest a TLS handshake may take before the connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether TLS is wanted at all (STARTTLS offered, or implicit TLS).</summary>
    public bool Enabled => Mode != TlsMode.None;

    /// <summary>A `tls-mode` keyword (checked against the schema) as GNU imap4d 3.15 reads it.</summary>
    public static TlsMode ParseMode(string keyword) => keyword switch
    {
        "no" or "false" or "off" or "0" => TlsMode.None,
        "ondemand" or "stls" => TlsMode.OnDemand,
        "required" => TlsMode.Required,
        "connection" or "yes" or "true" or "on" or "1" => TlsMode.Connection,
        _ => throw new ArgumentException($"unknown tls-mode \"{keyword}\"", nameof(keyword)),
    };
}
