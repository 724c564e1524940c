using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Imap4d.Tests.Auth.Preauth;
using Imap4d.Tests.Hosting.Proxy;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The connection gate of the real executable: inetd mode on a real TCP socket (a small inetd
/// accepts and runs imap4d per connection), with the `make run` demo configuration (virtual
/// user demo/demo) plus the statements under test in a `server` block for the listening port.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class ConnectionGateTests
{
    private readonly List<IDisposable> _cleanup = [];
    private readonly List<string> _directories = [];

    [TearDown]
    public void CleanUp()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            item.Dispose();
        }

        foreach (string dir in _directories)
        {
            Directory.Delete(dir, recursive: true);
        }

        _cleanup.Clear();
        _directories.Clear();
    }

    /// <summary>An inetd on <paramref name="host"/> whose imap4d reads the demo configuration plus <paramref name="extra"/> ({PORT} is its port).</summary>
    private MiniInetd Inetd(string extra, string host = "127.0.0.1")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-gate-{Guid.NewGuid():N}");
        _directories.Add(dir);
        Directory.CreateDirectory(dir);
        string config = Path.Combine(dir, "imap4d.conf");
        var inetd = new MiniInetd(host, "-i", "--config-file=" + config);
        _cleanup.Add(inetd);
        DemoDaemonTests.WriteDemo(dir, inetd.Port, extra.Replace("{PORT}", inetd.Port.ToString()).Replace("{DIR}", dir));
        return inetd;
    }

    private static string ServerBlock(string host, string statements) => $"server {host}:{{PORT}} {{ {statements} }}\n";

    [Test]
    public void ProxyV1FromATrustedPeerCarriesTheClientAddressIntoAcl()
    {
        var inetd = Inetd(ServerBlock("127.0.0.1", "proxy-protocol yes; proxy-trusted (10.0.0.0/8, 127.0.0.1); acl { deny from 203.0.113.0/24; allow any; }"));
        using (var denied = inetd.Connect())
        {
            denied.Send("PROXY TCP4 203.0.113.7 192.0.2.1 5555 143\r\n");
            Assert.That(denied.ReadLine(), Is.EqualTo("* BYE Access denied"));
            Assert.That(denied.ReadLine(), Is.Null);
        }

        Assert.That(inetd.WaitForLog("access from 203.0.113.7:5555 blocked"), Does.Contain("access from 203.0.113.7:5555 blocked"));
        using var allowed = inetd.Connect();
        allowed.Send("PROXY TCP4 198.51.100.7 192.0.2.1 6666 143\r\n1 NOOP\r\n");
        Assert.That(allowed.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(allowed.ReadLine(), Is.EqualTo("1 OK NOOP Completed"), "the command sent right behind the header is read by the session");
        Assert.That(allowed.Command("2", "LOGIN demo demo")[^1], Does.StartWith("2 OK"));
        allowed.Command("3", "LOGOUT");
        string log = inetd.WaitForLog("user demo logged in from 198.51.100.7:6666");
        Assert.That(log, Does.Match(@"PROXY v1 header from 127\.0\.0\.1:\d+: client 198\.51\.100\.7:6666"));
        Assert.That(log, Does.Contain("user demo logged in from 198.51.100.7:6666"));
    }

    [Test]
    public void ProxyV2FromATrustedPeerCarriesTheClientAddress()
    {
        var inetd = Inetd(ServerBlock("127.0.0.1", "proxy-protocol yes; proxy-trusted 127.0.0.0/8; acl { deny from 2001:db8::/32; }"));
        using (var denied = inetd.Connect())
        {
            denied.Send(ProxyHeaderReaderTests.V2Inet(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 7000), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 143)));
            Assert.That(denied.ReadLine(), Is.EqualTo("* BYE Access denied"));
        }

        using var allowed = inetd.Connect();
        allowed.Send(ProxyHeaderReaderTests.V2Inet(new IPEndPoint(IPAddress.Parse("198.51.100.8"), 7001), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 143), [0x04, 0x00, 0x01, 0x00]));
        Assert.That(allowed.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        allowed.Command("1", "LOGOUT");
        Assert.That(inetd.WaitForLog("client 198.51.100.8:7001"), Does.Match(@"PROXY v2 header from 127\.0\.0\.1:\d+: client 198\.51\.100\.8:7001"));
        Assert.That(inetd.Log, Does.Contain("access from [2001:db8::7]:7000 blocked"));
    }

    [Test]
    public void ProxyHeaderFromAnUntrustedPeerIsRefused()
    {
        var inetd = Inetd(ServerBlock("127.0.0.1", "proxy-protocol yes; proxy-trusted 10.0.0.0/8;"));
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* BYE Access denied"), "refused before anything is read");
        Assert.That(client.ReadLine(), Is.Null);
        Assert.That(inetd.WaitForLog("not a trusted PROXY protocol peer"), Does.Contain("not a trusted PROXY protocol peer"));
    }

    [Test]
    public void MalformedProxyHeaderClosesSilently()
    {
        var inetd = Inetd(ServerBlock("127.0.0.1", "proxy-protocol yes; proxy-trusted 127.0.0.1;"));
        using var client = inetd.Connect();
        client.Send("1 CAPABILITY\r\n");
        // Closed with the rest of the line unread, so the peer may see a reset instead of EOF.
        Assert.That(ReadOrReset(client), Is.Null);
        Assert.That(inetd.WaitForLog("does not start with a PROXY protocol header"), Does.Contain("does not start with a PROXY protocol header"));
    }

    [Test]
    public void AclAllowsAndDeniesTheRealPeer()
    {
        var denying = Inetd(ServerBlock("127.0.0.1", "acl { log from any \"acl saw ${address} as rule ${aclno}\"; deny from 127.0.0.0/255.0.0.0; allow any; }"));
        using (var client = denying.Connect())
        {
            Assert.That(client.ReadLine(), Is.EqualTo("* BYE Access denied"));
            Assert.That(client.ReadLine(), Is.Null);
        }

        Assert.That(denying.WaitForLog("access from 127.0.0.1:"), Does.Contain("acl saw 127.0.0.1 as rule 1"));

        var allowing = Inetd("acl { allow from 127.0.0.1; deny any; }\n");
        using var allowed = allowing.Connect();
        Assert.That(allowed.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        allowed.Command("1", "LOGOUT");
    }

    [Test]
    public void AclMatchesIpv6Peers()
    {
        if (!Socket.OSSupportsIPv6 || !CanBind(IPAddress.IPv6Loopback))
        {
            Assert.Ignore("no IPv6 loopback");
        }

        var inetd = Inetd("acl { deny from ::1/128; allow any; }\n", host: "::1");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* BYE Access denied"));
        Assert.That(inetd.WaitForLog("access from [::1]:"), Does.Contain("access from [::1]:"));
    }

    [Test]
    public void PreauthIdentGreetsWithPreauthForTheUserItNames()
    {
        using var ident = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : demo");
        var inetd = Inetd($"preauth \"ident://:{ident.Port}\";\n");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* PREAUTH IMAP4rev1"));
        Assert.That(client.Command("1", "NAMESPACE")[^1], Is.EqualTo("1 OK NAMESPACE Completed"));
        client.Command("2", "LOGOUT");
        Assert.That(ident.Queries, Is.EqualTo(new[] { $"{client.LocalEndPoint.Port} , {inetd.Port}" }));
        Assert.That(inetd.WaitForLog("user demo preauthenticated"), Does.Contain("preauth (ident): connection from 127.0.0.1:" + client.LocalEndPoint.Port + " is user demo"));
    }

    [Test]
    public void PreauthIdentForAnUnknownUserOrNoAnswerGreetsNormally()
    {
        using var unknown = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : i4g-nobody");
        using var silent = new FakeIdentServer((_, _) => null);
        foreach (var ident in new[] { unknown, silent })
        {
            var inetd = Inetd($"preauth \"ident://:{ident.Port}\";\n");
            using var client = inetd.Connect();
            Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
            Assert.That(client.Command("1", "LOGIN demo demo")[^1], Does.StartWith("1 OK"));
        }
    }

    [Test]
    public void PreauthOnlyClosesWithByeWhenPreauthFails()
    {
        using var ident = new FakeIdentServer((c, s) => $"{c} , {s} : ERROR : NO-USER");
        var inetd = Inetd($"preauth \"ident://:{ident.Port}\"; preauth-only yes;\n");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* BYE Preauthentication failed"));
        Assert.That(client.ReadLine(), Is.Null);
    }

    [Test]
    public void PreauthProgramGetsTheExpandedAddressesAndNamesTheUser()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-gate-prog-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        _directories.Add(dir);
        string script = Path.Combine(dir, "who.sh");
        string args = Path.Combine(dir, "args");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" > {args}\necho demo\necho ignored\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var inetd = Inetd($"preauth \"prog://{script} ${{client_address}} ${{client_port}} ${{server_address}} ${{server_port}}\";\n");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* PREAUTH IMAP4rev1"));
        client.Command("1", "LOGOUT");
        Assert.That(File.ReadAllText(args), Is.EqualTo($"127.0.0.1 {client.LocalEndPoint.Port} 127.0.0.1 {inetd.Port}\n"));
    }

    [Test]
    public void PreauthProgramThatFailsGreetsNormally()
    {
        var inetd = Inetd("preauth \"prog:///bin/sh -c 'echo demo; exit 3'\";\n");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
    }

    [Test]
    public void LoginTimeoutClosesAnIdleUnauthenticatedSessionOnly()
    {
        var inetd = Inetd(ServerBlock("127.0.0.1", "login-timeout 1; timeout 30;"));
        using var idle = inetd.Connect();
        using var working = inetd.Connect();
        Assert.That(idle.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(working.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(working.Command("1", "LOGIN demo demo")[^1], Does.StartWith("1 OK"));
        var watch = Stopwatch.StartNew();
        Assert.That(idle.ReadLine(), Is.EqualTo("* BYE Session timed out"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Thread.Sleep(TimeSpan.FromSeconds(2));
        Assert.That(working.Command("2", "NOOP"), Is.EqualTo(new[] { "2 OK NOOP Completed" }), "authenticated sessions keep the 30 s timeout");
        working.Command("3", "LOGOUT");
    }

    /// <summary>A pidentd-encrypted reply names a uid; needs root to create the system user it maps to.</summary>
    [Test]
    [Category("Root")]
    public void PreauthIdentDecryptsPidentdTokens()
    {
        if (Syscall.getuid() != 0 || !File.Exists("/usr/sbin/useradd"))
        {
            Assert.Ignore("needs root and useradd");
        }

        string user = "i4g" + Random.Shared.Next(100000, 999999);
        RunProgram("/usr/sbin/useradd", "-m", "-N", "-s", "/usr/sbin/nologin", user);
        _cleanup.Add(new Cleanup(() => RunProgram("/usr/sbin/userdel", "-r", user)));
        uint uid = Syscall.getpwnam(user)!.pw_uid;
        var random = TestContext.CurrentContext.Random;
        var key = PidentdTokenTests.KeyText(random);
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-gate-des-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        _directories.Add(dir);
        File.WriteAllBytes(Path.Combine(dir, "identd.key"), key);
        using var ident = new FakeIdentServer((c, s) => $"{c} , {s} : USERID : UNIX : {PidentdTokenTests.Encrypt(key, (ushort)uid, random)}");
        var inetd = Inetd($"preauth \"ident://:{ident.Port}\"; ident-keyfile {dir}/identd.key; ident-encrypt-only yes;\n");
        using var client = inetd.Connect();
        Assert.That(client.ReadLine(), Is.EqualTo("* PREAUTH IMAP4rev1"));
        client.Command("1", "LOGOUT");
        Assert.That(inetd.WaitForLog($"is user {user}"), Does.Contain($"is user {user}"));
    }

    /// <summary>The daemon's in-process sessions (`single-process yes`) pass the same gate.</summary>
    [Test]
    public void SingleProcessDaemonAppliesTheGate()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-gate-daemon-{Guid.NewGuid():N}");
        _directories.Add(dir);
        int port = ServerProcess.FreePort();
        DemoDaemonTests.WriteDemo(dir, port, $"server 127.0.0.1:{port} {{ proxy-protocol yes; proxy-trusted 127.0.0.1; acl {{ deny from 203.0.113.7; }} }}\n");
        var server = ServerProcess.Start("--config-file=" + Path.Combine(dir, "imap4d.conf"));
        _cleanup.Add(server);
        server.WaitForPort(port);
        using var client = new TcpClient("127.0.0.1", port);
        client.ReceiveTimeout = 15_000;
        var stream = client.GetStream();
        stream.Write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 143\r\n"u8);
        var reader = new StreamReader(stream);
        Assert.That(reader.ReadLine(), Is.EqualTo("* BYE Access denied"));
    }

    private static string? ReadOrReset(MiniInetd.Connection client)
    {
        try
        {
            return client.ReadLine();
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return null;
        }
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void RunProgram(string program, params string[] args)
    {
        var (code, output) = ExternalProgram.Run(program, args);
        Assert.That(code, Is.EqualTo(0), $"{program}: {output}");
    }

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
