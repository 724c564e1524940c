namespace Imap4d.Hosting.Proxy;

/// <summary>What a PROXY header says about the connection.</summary>
public enum ProxyCommand
{
    /// <summary>v2 LOCAL, v1 UNKNOWN, or an address family we cannot represent: keep the real peer.</summary>
    Local,

    /// <summary>The connection is relayed for the client the header names.</summary>
    Proxy,
}
