using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Session;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>COMPRESS=DEFLATE (RFC 4978) over a real socket: a second COMPRESS, and garbage in place of deflate data.</summary>
public class CompressTests
{
    private static async Task<(TcpClient Client, Task Session)> StartAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var services = new SessionServices { Settings = new Imap4d.Config.ServerSettings(), Authenticator = new StaticAuthenticator(("demo", "demo")) };
        var session = new ImapSession(services, CommandRegistry.CreateDefault());
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            listener.Stop();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await session.RunAsync(stream, stream, new SessionStart(new UserInfo("demo", "/nonexistent"), false), CancellationToken.None);
        });
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        return (client, serving);
    }

    /// <summary>One line read a byte at a time, so that nothing after it is consumed.</summary>
    private static string ReadLine(Stream stream)
    {
        var line = new List<byte>();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            line.Add((byte)b);
        }

        return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
    }

    [Test, CancelAfter(20000)]
    public async Task SecondCompressIsRefusedAndCommandsGoOnCompressed()
    {
        var (client, session) = await StartAsync();
        using (client)
        {
            var wire = client.GetStream();
            Assert.That(ReadLine(wire), Does.StartWith("* PREAUTH"));
            wire.Write("1 COMPRESS DEFLATE\r\n"u8);
            Assert.That(ReadLine(wire), Is.EqualTo("1 OK DEFLATE active"));

            using var inflate = new DeflateStream(wire, CompressionMode.Decompress, leaveOpen: true);
            using var deflate = new DeflateStream(wire, CompressionLevel.Optimal, leaveOpen: true);
            deflate.Write("2 COMPRESS DEFLATE\r\n3 NOOP\r\n"u8);
            deflate.Flush();
            Assert.That(ReadLine(inflate), Is.EqualTo("2 NO [COMPRESSIONACTIVE] Compression is already active"));
            Assert.That(ReadLine(inflate), Is.EqualTo("3 OK NOOP Completed"));
            deflate.Write("4 LOGOUT\r\n"u8);
            deflate.Flush();
            Assert.That(ReadLine(inflate), Is.EqualTo("* BYE Session terminating."));
            Assert.That(ReadLine(inflate), Is.EqualTo("4 OK LOGOUT Completed"));
        }

        await session;
    }

    [Test, CancelAfter(20000)]
    public async Task GarbageInsteadOfDeflateEndsTheSessionQuietly()
    {
        var (client, session) = await StartAsync();
        using (client)
        {
            var wire = client.GetStream();
            ReadLine(wire);
            wire.Write("1 COMPRESS DEFLATE\r\n"u8);
            Assert.That(ReadLine(wire), Is.EqualTo("1 OK DEFLATE active"));
            wire.Write(Enumerable.Repeat((byte)0xff, 64).ToArray());
            Assert.That(await Task.WhenAny(session, Task.Delay(10000)), Is.SameAs(session), "session still running");
        }

        Assert.DoesNotThrowAsync(async () => await session);
    }
}
