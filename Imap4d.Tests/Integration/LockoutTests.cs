using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Imap4d.Auth;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Failed-login delay and lockout with the built imap4d: counters shared by separate inetd
/// processes through the lockout directory, and per client address in the daemon.
/// Virtual users; as root they get uid/gid "nobody" so that the inetd sessions may switch.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class LockoutTests
{
    private const string Password = "right-Password-1";
    private string _dir = null!;
    private string _users = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("i4a-lockout-").FullName;
        string hash = Crypt.Hash(Password, "$6$i4alockout$")!;
        string ids = Syscall.geteuid() == 0 ? "65534:65534" : ":";
        _users = Path.Combine(_dir, "users");
        File.WriteAllLines(_users, new[] { "good", "other", "u1", "u2", "u3", "u4", "u5" }.Select(name => $"{name}:{hash}:{ids}::{_dir}/home/{name}:"));
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Config(string name, string extra)
    {
        string path = Path.Combine(_dir, name + ".conf");
        File.WriteAllText(path, $$"""
            logging { syslog no; }
            virtual-users { file "{{_users}}"; }
            auth { authentication virtual-users; authorization virtual-users; }
            mailbox { mailbox-pattern "$home/INBOX"; }
            lockout { max-failures 5; window "10 minutes"; lock-time "10 minutes"; directory "{{_dir}}/{{name}}-lockout"; }
            {{extra}}
            """);
        return path;
    }

    /// <summary>One inetd-mode process per LOGIN, as inetd would start them.</summary>
    private static (string Answer, string Log) LoginInOwnProcess(string config, string user, string password)
    {
        using var server = ServerProcess.Start("-i", "--config-file=" + config);
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        string answer = client.Tagged("a", $"LOGIN {user} {password}");
        client.Tagged("z", "LOGOUT");
        server.Process.WaitForExit(10_000);
        return (answer, server.Stderr);
    }

    [Test]
    public void FailuresCountAcrossProcessesAndTheSixthAttemptIsRefusedEvenWithTheRightPassword()
    {
        string config = Config("processes", "login-failure-delay 0;");
        for (int i = 1; i <= 5; i++)
        {
            Assert.That(LoginInOwnProcess(config, "good", "wrong" + i).Answer, Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        }

        var (answer, log) = LoginInOwnProcess(config, "good", Password);
        Assert.That(answer, Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"), "same answer as a wrong password");
        Assert.That(log, Does.Contain("refused: locked out"));
        Assert.That(LoginInOwnProcess(config, "other", Password).Answer, Does.StartWith("a OK"), "other users are not affected");
        Assert.That(Syscall.stat(Path.Combine(_dir, "processes-lockout"), out var st), Is.Zero);
        Assert.That((int)st.st_mode & 0x1ff, Is.EqualTo(0x1c0), "the lockout directory is created 0700");
    }

    [Test]
    public void AFailedLoginIsAnsweredAfterTheDelay()
    {
        string config = Config("delay", "login-failure-delay 1;");
        var watch = Stopwatch.StartNew();
        using var server = ServerProcess.Start("-i", "--config-file=" + config);
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        watch.Restart();
        Assert.That(client.Tagged("a", "LOGIN good wrong"), Does.StartWith("a NO"));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)));
        watch.Restart();
        Assert.That(client.Tagged("b", $"LOGIN good {Password}"), Does.StartWith("b OK"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(900)), "success is not delayed");
    }

    [Test]
    public void AnAddressIsLockedAfterFiveFailuresWhileAnotherAddressIsNot()
    {
        int port = ServerProcess.FreePort();
        string config = Config("daemon", $$"""
            login-failure-delay 0;
            mode daemon;
            foreground yes;
            server 127.0.0.1:{{port}} { single-process yes; };
            """);
        using var server = ServerProcess.Start("--config-file=" + config);
        server.WaitForPort(port);
        var first = IPAddress.Loopback;
        var second = IPAddress.Parse("127.0.0.2");
        for (int i = 1; i <= 5; i++)
        {
            Assert.That(LoginOverTcp(first, port, "u" + i, "wrong"), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        }

        Assert.That(LoginOverTcp(first, port, "good", Password), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"),
            "the sixth attempt from the address is refused with the right password");
        Assert.That(LoginOverTcp(second, port, "good", Password), Does.StartWith("a OK"), "another address is not affected");
        Assert.That(server.Stderr, Does.Contain("lockout: address:127.0.0.1 refused"));
    }

    private static string LoginOverTcp(IPAddress from, int port, string user, string password)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        socket.Connect(IPAddress.Loopback, port);
        using var stream = new NetworkStream(socket);
        var client = new LineClient(stream, stream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        string answer = client.Tagged("a", $"LOGIN {user} {password}");
        client.Tagged("z", "LOGOUT");
        return answer;
    }
}
