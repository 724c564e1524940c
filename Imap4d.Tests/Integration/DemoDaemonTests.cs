using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The configuration of `make run` (etc/demo) on a free port, driven by real clients:
/// python3's imaplib and curl.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class DemoDaemonTests
{
    private string _demo = null!;
    private int _port;
    private ServerProcess _server = null!;

    [OneTimeSetUp]
    public void StartDaemon()
    {
        _demo = Path.Combine(Path.GetTempPath(), $"imap4d-demo-{Guid.NewGuid():N}");
        _port = ServerProcess.FreePort();
        WriteDemo(_demo, _port, extra: "");
        _server = ServerProcess.Start("--config-file=" + Path.Combine(_demo, "imap4d.conf"));
        _server.WaitForPort(_port);
    }

    [OneTimeTearDown]
    public void StopDaemon()
    {
        _server.Dispose();
        Directory.Delete(_demo, recursive: true);
    }

    /// <summary>Writes the demo configuration as `make demo` does, for a given directory and port.</summary>
    public static void WriteDemo(string dir, int port, string extra)
    {
        Directory.CreateDirectory(Path.Combine(dir, "home", "demo", "mail"));
        string etc = Path.Combine(RepoPaths.Root, "etc", "demo");
        string users = File.ReadAllText(Path.Combine(etc, "users.in")).Replace("@DEMO@", dir);
        if (Syscall.geteuid() == 0)
        {
            // As root, an inetd-mode session switches to the user after login and never serves a
            // virtual user without a uid: give demo "nobody" and its home.
            users = users.Replace(":::Demo user:", $":{Nobody}:{Nobody}:Demo user:");
        }

        File.WriteAllText(Path.Combine(dir, "users"), users);
        File.WriteAllText(Path.Combine(dir, "imap4d.conf"),
            File.ReadAllText(Path.Combine(etc, "imap4d.conf.in")).Replace("@DEMO@", dir).Replace("@PORT@", port.ToString()) + extra);
        File.Copy(Path.Combine(etc, "INBOX"), Path.Combine(dir, "home", "demo", "mail", "INBOX"));
        if (Syscall.geteuid() == 0)
        {
            foreach (string path in new[] { "home/demo", "home/demo/mail", "home/demo/mail/INBOX" })
            {
                Syscall.chown(Path.Combine(dir, path), Nobody, Nobody);
            }
        }
    }

    /// <summary>uid and gid of nobody/nogroup on Debian.</summary>
    private const uint Nobody = 65534;

    [Test]
    public void PythonImaplibLogsInAndQueries()
    {
        string script = $$"""
            import imaplib, sys
            imaplib.Commands['ID'] = ('NONAUTH', 'AUTH', 'SELECTED')
            c = imaplib.IMAP4('127.0.0.1', {{_port}})
            print('greeting', c.welcome.decode())
            print('caps-before', ' '.join(sorted(c.capabilities)))
            try:
                c.login('demo', 'wrong')
                print('login-wrong accepted')
            except imaplib.IMAP4.error as e:
                print('login-wrong refused', e)
            typ, data = c.login('demo', 'demo')
            print('login', typ)
            typ, data = c.namespace()
            print('namespace', typ, data[0].decode())
            typ, data = c._simple_command('ID', '("name" "imaplib")')
            typ, data = c._untagged_response(typ, data, 'ID')
            print('id', typ, data[0].decode())
            typ, data = c.noop()
            print('noop', typ)
            typ, data = c.logout()
            print('logout', typ)
            """;
        string output = RunProgram("python3", ["-c", script]);
        Assert.That(output, Does.Contain("greeting * OK IMAP4rev1"));
        Assert.That(output, Does.Contain("caps-before " + AdvertisedExtensions.SortedWith("AUTH=LOGIN", "AUTH=PLAIN", "IMAP4REV1", "IMAP4REV2", "LITERAL+", "SASL-IR")));
        Assert.That(output, Does.Contain("login-wrong refused"));
        Assert.That(output, Does.Contain("login OK"));
        Assert.That(output, Does.Contain("namespace OK ((\"\" \"/\")) NIL NIL"));
        Assert.That(output, Does.Contain("id OK (\"name\" \"imap4d\""));
        Assert.That(output, Does.Contain("noop OK"));
        Assert.That(output, Does.Contain("logout BYE"));
    }

    [Test]
    public void PythonImaplibAuthenticatePlain()
    {
        string script = $$"""
            import imaplib
            c = imaplib.IMAP4('127.0.0.1', {{_port}})
            typ, data = c.authenticate('PLAIN', lambda _: b'\0demo\0demo')
            print('auth', typ, data[0].decode())
            c.logout()
            """;
        Assert.That(RunProgram("python3", ["-c", script]), Does.Contain("auth OK [CAPABILITY IMAP4rev1").And.Contain("] AUTHENTICATE Completed"));
    }

    [Test]
    public void CurlLogsInAndSendsNamespace()
    {
        string output = RunProgram("curl", ["-s", "-S", "--max-time", "20", $"imap://demo:demo@127.0.0.1:{_port}/", "-X", "NAMESPACE"]);
        Assert.That(output, Does.Contain("* NAMESPACE ((\"\" \"/\")) NIL NIL"));
    }

    [Test]
    public void CurlWithWrongPasswordFails()
    {
        var (code, _) = ExternalProgram.Run("curl", ["-s", "--max-time", "20", $"imap://demo:nope@127.0.0.1:{_port}/", "-X", "NAMESPACE"]);
        Assert.That(code, Is.EqualTo(67), "curl: login denied");
    }

    [Test]
    public void MaxChildrenRefusesWithBye()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-demo-{Guid.NewGuid():N}");
        int port = ServerProcess.FreePort();
        WriteDemo(dir, port, extra: "max-children 1;\n");
        try
        {
            using var server = ServerProcess.Start("--config-file=" + Path.Combine(dir, "imap4d.conf"));
            server.WaitForPort(port);
            Thread.Sleep(200); // the probe connection of WaitForPort must be gone
            using var first = new TcpClient("127.0.0.1", port);
            using var firstReader = new StreamReader(first.GetStream(), Encoding.ASCII);
            Assert.That(firstReader.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
            using var second = new TcpClient("127.0.0.1", port);
            using var secondReader = new StreamReader(second.GetStream(), Encoding.ASCII);
            Assert.That(secondReader.ReadLine(), Is.EqualTo("* BYE Too many connections"));
            Assert.That(secondReader.ReadLine(), Is.Null);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void SigtermStopsTheDaemonWithLiveSessions()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-demo-{Guid.NewGuid():N}");
        int port = ServerProcess.FreePort();
        WriteDemo(dir, port, extra: "");
        try
        {
            using var server = ServerProcess.Start("--config-file=" + Path.Combine(dir, "imap4d.conf"));
            server.WaitForPort(port);
            using var client = new TcpClient("127.0.0.1", port);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            Assert.That(reader.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
            Assert.That(Syscall.kill(server.Process.Id, Signum.SIGTERM), Is.EqualTo(0));
            Assert.That(reader.ReadLine(), Is.EqualTo("* BYE Server shutting down"));
            Assert.That(reader.ReadLine(), Is.Null);
            Assert.That(server.Process.WaitForExit(15_000), Is.True, "daemon did not stop on SIGTERM");
            Assert.That(server.Process.ExitCode, Is.EqualTo(0));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string RunProgram(string program, string[] args)
    {
        var (code, output) = ExternalProgram.Run(program, args);
        Assert.That(code, Is.EqualTo(0), $"{program} failed: {output}");
        return output;
    }
}
