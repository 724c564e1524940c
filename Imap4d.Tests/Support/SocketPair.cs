using System.Net;
using System.Net.Sockets;

namespace Imap4d.Tests.Support;

/// <summary>Two connected loopback TCP sockets, for running a server side and a client side in one test.</summary>
public sealed class SocketPair : IDisposable
{
    private SocketPair(Socket server, Socket client)
    {
        Server = server;
        Client = client;
        ServerStream = new NetworkStream(server, ownsSocket: false);
        ClientStream = new NetworkStream(client, ownsSocket: false);
    }

    public Socket Server { get; }

    public Socket Client { get; }

    public NetworkStream ServerStream { get; }

    public NetworkStream ClientStream { get; }

    public static async Task<SocketPair> CreateAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connect = client.ConnectAsync(listener.LocalEndpoint);
        var server = await listener.AcceptSocketAsync();
        await connect;
        server.NoDelay = true;
        return new SocketPair(server, client);
    }

    public void Dispose()
    {
        ServerStream.Dispose();
        ClientStream.Dispose();
        Server.Dispose();
        Client.Dispose();
    }
}
