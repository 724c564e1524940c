namespace Imap4d.Config;

/// <summary>
/// `tls-mode`: how a connection uses TLS. The keywords are GNU imap4d 3.15's (its cb_tls table):
/// no/false/off/0 = <see cref="None"/>; ondemand/stls = <see cref="OnDemand"/>;
/// required = <see cref="Required"/>; connection, and for compatibility with older mailutils
/// yes/true/on/1 = <see cref="Connection"/>.
/// </summary>
public enum TlsMode
{
    /// <summary>No TLS: STARTTLS is not offered.</summary>
    None,

    /// <summary>STARTTLS is offered; LOGIN and AUTHENTICATE work with or without it.</summary>
    OnDemand,

    /// <summary>STARTTLS is offered and must be used before LOGIN or AUTHENTICATE.</summary>
    Required,

    /// <summary>Implicit TLS: the handshake comes before the greeting (port 993, RFC 8314).</summary>
    Connection,
}
