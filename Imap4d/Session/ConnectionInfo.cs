using System.Net;
using System.Net.Sockets;
using Mono.Unix.Native;

namespace Imap4d.Session;

/// <summary>
/// The two ends of the client connection, for logging and the <c>preauth</c> checks.
/// Endpoints are null when standard input is not a socket (a terminal, a pipe, a file).
/// </summary>
public sealed record ConnectionInfo(EndPoint? LocalEndPoint, EndPoint? RemoteEndPoint)
{
    public static ConnectionInfo Unknown { get; } = new(null, null);

    public bool IsSocket => LocalEndPoint is not null || RemoteEndPoint is not null;

    /// <summary>The remote IP address, with IPv4-mapped IPv6 addresses shown as IPv4; null if not an IP connection.</summary>
    public IPAddress? RemoteAddress => RemoteEndPoint is IPEndPoint ip ? Unmap(ip.Address) : null;

    /// <summary>The proxy's own endpoint when <see cref="RemoteEndPoint"/> came from a PROXY header; else null.</summary>
    public EndPoint? ProxyEndPoint { get; init; }

    /// <summary>The address the client connected to, as a PROXY header reported it; else null.</summary>
    public EndPoint? ProxiedLocalEndPoint { get; init; }

    /// <summary>The server's end as the client sees it: the PROXY header's destination, else the socket's.</summary>
    public EndPoint? ClientFacingLocalEndPoint => ProxiedLocalEndPoint ?? LocalEndPoint;

    /// <summary>
    /// This connection as relayed by a proxy for <paramref name="client"/>: the client's address
    /// replaces the remote end (for logs, acl, preauth and login lockout), the proxy is kept in
    /// <see cref="ProxyEndPoint"/>. <see cref="LocalEndPoint"/> stays the socket's own, so the
    /// `server` block is still chosen by the listener that accepted the connection.
    /// </summary>
    public ConnectionInfo WithRemote(EndPoint client, EndPoint? destination = null) => this with
    {
        RemoteEndPoint = client,
        ProxyEndPoint = RemoteEndPoint,
        ProxiedLocalEndPoint = destination,
    };

    /// <summary>The inetd case: inspects file descriptor 0.</summary>
    public static ConnectionInfo FromStdin() => FromFileDescriptor(0);

    /// <summary>Reads the endpoints of <paramref name="fd"/> if it is a socket; never closes or shuts it down.</summary>
    public static ConnectionInfo FromFileDescriptor(int fd)
    {
        if (!IsSocketDescriptor(fd))
        {
            return Unknown;
        }

        try
        {
            // ownsHandle: false, so disposing this wrapper leaves the descriptor open for the session.
            using var socket = new Socket(new SafeSocketHandle((IntPtr)fd, ownsHandle: false));
            return FromSocket(socket);
        }
        catch (SocketException)
        {
            return Unknown;
        }
    }

    /// <summary>The endpoints of an open socket; an unconnected or unnamed end is null.</summary>
    public static ConnectionInfo FromSocket(Socket socket) =>
        new(TryGet(() => socket.LocalEndPoint), TryGet(() => socket.RemoteEndPoint));

    /// <summary>Whether <paramref name="fd"/> is a socket (fstat and S_ISSOCK).</summary>
    public static bool IsSocketDescriptor(int fd) =>
        Syscall.fstat(fd, out Stat status) == 0 && (status.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFSOCK;

    /// <summary>The client's address for log lines: "192.0.2.1:5678", or "stdio" when not a socket.</summary>
    public string ClientText => RemoteEndPoint is null ? "stdio" : Describe(RemoteEndPoint);

    public override string ToString() => $"{Describe(LocalEndPoint)} <- {Describe(RemoteEndPoint)}";

    private static string Describe(EndPoint? endPoint) => endPoint switch
    {
        null => "unknown",
        IPEndPoint ip => new IPEndPoint(Unmap(ip.Address), ip.Port).ToString(),
        UnixDomainSocketEndPoint unix when unix.ToString().Length == 0 => "unix:(unnamed)",
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        _ => endPoint.ToString() ?? "unknown",
    };

    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static EndPoint? TryGet(Func<EndPoint?> read)
    {
        try
        {
            return read();
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
