using System.Net;

namespace Imap4d.Hosting.Proxy;

/// <summary>
/// A parsed PROXY protocol header (HAProxy's proxy-protocol.txt). <see cref="Source"/> and
/// <see cref="Destination"/> are set only for <see cref="ProxyCommand.Proxy"/> over TCP/IPv4 or
/// TCP/IPv6; <see cref="Length"/> is the number of bytes the header took on the wire.
/// </summary>
public sealed record ProxyHeader(int Version, ProxyCommand Command, IPEndPoint? Source, IPEndPoint? Destination, int Length)
{
    /// <summary>Whether the header names a client that should replace the real peer.</summary>
    public bool CarriesClient => Command == ProxyCommand.Proxy && Source is not null;
}
