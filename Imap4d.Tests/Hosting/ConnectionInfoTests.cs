using System.Net;
using System.Net.Sockets;
using System.Text;
using Imap4d.Hosting;
using Imap4d.Session;

namespace Imap4d.Tests.Hosting;

public class ConnectionInfoTests
{
    /// <summary>A connected pair: the client end and the accepted (server) end.</summary>
    private static (Socket Client, Socket Server) ConnectTcp(IPAddress address, bool dualModeListener = false)
    {
        using var listener = new Socket(dualModeListener ? AddressFamily.InterNetworkV6 : address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (dualModeListener)
        {
            listener.DualMode = true;
        }

        listener.Bind(new IPEndPoint(dualModeListener ? IPAddress.IPv6Any : address, 0));
        listener.Listen(1);
        var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(address, ((IPEndPoint)listener.LocalEndPoint!).Port));
        return (client, listener.Accept());
    }

    [Test]
    public void ReadsBothEndsOfATcpConnection()
    {
        var (client, server) = ConnectTcp(IPAddress.Loopback);
        using (client)
        using (server)
        {
            ConnectionInfo info = ConnectionInfo.FromSocket(server);
            Assert.That(info.LocalEndPoint, Is.EqualTo(client.RemoteEndPoint));
            Assert.That(info.RemoteEndPoint, Is.EqualTo(client.LocalEndPoint));
            Assert.That(info.RemoteAddress, Is.EqualTo(IPAddress.Loopback));
            Assert.That(info.IsSocket, Is.True);
        }
    }

    [Test]
    public void ReadsADescriptorWithoutClosingIt()
    {
        var (client, server) = ConnectTcp(IPAddress.Loopback);
        using (client)
        using (server)
        {
            int fd = (int)server.Handle;
            Assert.That(ConnectionInfo.IsSocketDescriptor(fd), Is.True);

            ConnectionInfo info = ConnectionInfo.FromFileDescriptor(fd);
            Assert.That(info.LocalEndPoint, Is.EqualTo(server.LocalEndPoint));
            Assert.That(info.RemoteEndPoint, Is.EqualTo(server.RemoteEndPoint));

            // The wrapper is gone; the session's socket must still work both ways.
            server.Send("* OK\r\n"u8);
            var buffer = new byte[16];
            client.ReceiveTimeout = 5000;
            Assert.That(Encoding.ASCII.GetString(buffer, 0, client.Receive(buffer)), Is.EqualTo("* OK\r\n"));
            client.Send("a1 LOGOUT\r\n"u8);
            server.ReceiveTimeout = 5000;
            Assert.That(Encoding.ASCII.GetString(buffer, 0, server.Receive(buffer)), Is.EqualTo("a1 LOGOUT\r\n"));
        }
    }

    [Test]
    public void ShowsIPv4MappedAddressesAsIPv4()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("no IPv6");
        }

        var (client, server) = ConnectTcp(IPAddress.Loopback, dualModeListener: true);
        using (client)
        using (server)
        {
            ConnectionInfo info = ConnectionInfo.FromFileDescriptor((int)server.Handle);
            Assert.That(((IPEndPoint)info.RemoteEndPoint!).Address.IsIPv4MappedToIPv6, Is.True);
            Assert.That(info.RemoteAddress, Is.EqualTo(IPAddress.Loopback));
            Assert.That(info.ToString(), Does.StartWith("127.0.0.1:").And.Contain(" <- 127.0.0.1:"));
        }
    }

    [Test]
    public void ReadsIPv6Connections()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("no IPv6");
        }

        (Socket Client, Socket Server) pair;
        try
        {
            pair = ConnectTcp(IPAddress.IPv6Loopback);
        }
        catch (SocketException)
        {
            Assert.Ignore("IPv6 loopback unavailable");
            return;
        }

        using (pair.Client)
        using (pair.Server)
        {
            ConnectionInfo info = ConnectionInfo.FromFileDescriptor((int)pair.Server.Handle);
            Assert.That(info.RemoteAddress, Is.EqualTo(IPAddress.IPv6Loopback));
        }
    }

    [Test]
    public void ReadsUnixDomainConnections()
    {
        string path = Path.Combine(Path.GetTempPath(), $"imap4d-conn-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(path));
            using Socket server = listener.Accept();

            ConnectionInfo info = ConnectionInfo.FromFileDescriptor((int)server.Handle);
            Assert.That(info.LocalEndPoint, Is.InstanceOf<UnixDomainSocketEndPoint>());
            Assert.That(info.LocalEndPoint!.ToString(), Is.EqualTo(path));
            Assert.That(info.RemoteAddress, Is.Null);
            Assert.That(info.ToString(), Does.StartWith("unix:" + path + " <- unix:"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void AFileIsNotASocketNorATerminal()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var handle = File.OpenHandle(path);
            int fd = (int)handle.DangerousGetHandle();
            Assert.That(ConnectionInfo.IsSocketDescriptor(fd), Is.False);
            Assert.That(ConnectionInfo.FromFileDescriptor(fd), Is.EqualTo(ConnectionInfo.Unknown));
            Assert.That(Terminal.IsTerminal(fd), Is.False);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ASocketIsNotATerminal()
    {
        var (client, server) = ConnectTcp(IPAddress.Loopback);
        using (client)
        using (server)
        {
            Assert.That(Terminal.IsTerminal((int)server.Handle), Is.False);
        }
    }

    [Test]
    public void ClosedDescriptorIsUnknown()
    {
        Assert.That(ConnectionInfo.FromFileDescriptor(987_654), Is.EqualTo(ConnectionInfo.Unknown));
        Assert.That(Terminal.IsTerminal(987_654), Is.False);
    }

    [Test]
    public void StdinNeverThrows()
    {
        Assert.DoesNotThrow(() => ConnectionInfo.FromStdin());
    }
}
