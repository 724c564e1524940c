namespace Imap4d.Config;

/// <summary>What a `server` block speaks: IMAP sessions, or LMTP deliveries (RFC 2033).</summary>
public enum ListenerProtocol
{
    Imap,
    Lmtp,
}
