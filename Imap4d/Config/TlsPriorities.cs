using System.Security.Authentication;

namespace Imap4d.Config;

/// <summary>
/// Turns the protocol-version parts of a GnuTLS priority string (`ssl-priorities`, as GNU
/// imap4d takes it) and the `protocols` list into <see cref="SslProtocols"/>. .NET hands cipher
/// choice to the system's OpenSSL, so cipher, MAC, key-exchange, group and `%FLAG` parts are
/// reported as not applied. Versions below TLS 1.2 are never enabled.
/// </summary>
public static class TlsPriorities
{
    /// <summary>GnuTLS base keywords (the first element); all but NONE start from the default versions.</summary>
    private static readonly string[] BaseKeywords =
    [
        "NORMAL", "PERFORMANCE", "SECURE", "SECURE128", "SECURE192", "SECURE256",
        "SUITEB128", "SUITEB192", "LEGACY", "PFS", "SYSTEM", "@SYSTEM", "NONE",
    ];

    /// <summary>
    /// The versions a priority string such as <c>NORMAL:-VERS-TLS1.2</c> or
    /// <c>NONE:+VERS-TLS1.3:+AES-256-GCM</c> leaves enabled. <paramref name="warn"/> receives one
    /// message per kind of part that is ignored.
    /// </summary>
    public static SslProtocols FromGnuTls(string priorities, Action<string> warn)
    {
        var parts = priorities.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var protocols = TlsSettings.DefaultProtocols;
        var notApplied = new List<string>();
        var tooOld = new List<string>();
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (i == 0 && BaseKeywords.Contains(part, StringComparer.OrdinalIgnoreCase))
            {
                protocols = part.Equals("NONE", StringComparison.OrdinalIgnoreCase) ? SslProtocols.None : TlsSettings.DefaultProtocols;
                continue;
            }

            bool remove = part[0] is '-' or '!';
            string name = part[0] is '+' or '-' or '!' ? part[1..] : part;
            if (!name.StartsWith("VERS-", StringComparison.OrdinalIgnoreCase))
            {
                notApplied.Add(part);
                continue;
            }

            switch (name.ToUpperInvariant())
            {
                case "VERS-ALL" or "VERS-TLS-ALL":
                    protocols = remove ? SslProtocols.None : TlsSettings.DefaultProtocols;
                    break;
                case "VERS-TLS1.2":
                    protocols = remove ? protocols & ~SslProtocols.Tls12 : protocols | SslProtocols.Tls12;
                    break;
                case "VERS-TLS1.3":
                    protocols = remove ? protocols & ~SslProtocols.Tls13 : protocols | SslProtocols.Tls13;
                    break;
                case "VERS-SSL3.0" or "VERS-TLS1.0" or "VERS-TLS1.1":
                    if (!remove)
                    {
                        tooOld.Add(part);
                    }

                    break;
                case "VERS-DTLS-ALL" or "VERS-DTLS0.9" or "VERS-DTLS1.0" or "VERS-DTLS1.2":
                    break; // datagram TLS has no meaning for IMAP over TCP
                default:
                    notApplied.Add(part);
                    break;
            }
        }

        if (tooOld.Count > 0)
        {
            warn($"protocol versions below TLS 1.2 are not supported; ignored: {string.Join(", ", tooOld)}");
        }

        if (notApplied.Count > 0)
        {
            warn($"only protocol versions (VERS-...) are applied; ciphers and options are left to OpenSSL; ignored: {string.Join(", ", notApplied)}");
        }

        return protocols;
    }

    /// <summary>
    /// The `protocols` list (imap4d.NET extension): "tls1.2", "tls1.3" (also written TLSv1.2,
    /// TLS1.3, 1.2 ...). Older versions are warned about and left out; an unknown name throws
    /// <see cref="FormatException"/>.
    /// </summary>
    public static SslProtocols FromNames(IEnumerable<string> names, Action<string> warn)
    {
        var protocols = SslProtocols.None;
        foreach (string name in names.SelectMany(n => n.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries)))
        {
            string version = name.ToLowerInvariant().Replace("tlsv", "").Replace("tls", "").TrimStart('-', '_');
            switch (version)
            {
                case "1.2":
                    protocols |= SslProtocols.Tls12;
                    break;
                case "1.3":
                    protocols |= SslProtocols.Tls13;
                    break;
                case "1" or "1.0" or "1.1" or "ssl3" or "sslv3":
                    warn($"protocol \"{name}\" is below TLS 1.2 and not supported; ignored");
                    break;
                default:
                    throw new FormatException($"unknown TLS protocol \"{name}\" (expected tls1.2 or tls1.3)");
            }
        }

        return protocols;
    }
}
