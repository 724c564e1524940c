using System.Net;

namespace Imap4d.Session;

/// <summary>The client and server addresses of a connection, when known (a socket on stdin).</summary>
public sealed record ConnectionEndpoints(EndPoint? Remote, EndPoint? Local)
{
    public static ConnectionEndpoints Unknown { get; } = new(null, null);

    /// <summary>The client's address for logs: "1.2.3.4:5678", or "stdio" when not a socket.</summary>
    public string ClientText => Remote?.ToString() ?? "stdio";
}
