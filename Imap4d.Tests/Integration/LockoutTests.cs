using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Imap4d.Auth;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Failed-login delay, pacing and lockout with the built imap4d: records shared by separate
/// inetd processes through the lockout directory, and per client address in the daemon.
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

    private string Config(string name, string extra, string lockout = "")
    {
        string path = Path.Combine(_dir, name + ".conf");
        File.WriteAllText(path, $$"""
            logging { syslog no; }
            virtual-users { file "{{_users}}"; }
            auth { authentication virtual-users; authorization virtual-users; }
            mailbox { mailbox-pattern "$home/INBOX"; }
            lockout { max-failures 5; max-users 5; window "10 minutes"; lock-time "10 minutes"; directory "{{_dir}}/{{name}}-lockout"; {{lockout}} }
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

    private const string Refused = "a NO [UNAVAILABLE] Too many failed logins; try again later";

    [Test]
    public void FailuresCountAcrossProcessesAndThePairIsRefusedEvenWithTheRightPassword()
    {
        string config = Config("processes", "login-failure-delay 0;", "failure-interval 0;");
        for (int i = 1; i <= 5; i++)
        {
            Assert.That(LoginInOwnProcess(config, "good", "wrong" + i).Answer, Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        }

        var (answer, log) = LoginInOwnProcess(config, "good", Password);
        Assert.That(answer, Is.EqualTo(Refused), "says why, not whether the password was right");
        Assert.That(LoginInOwnProcess(config, "good", "wrong").Answer, Is.EqualTo(Refused), "a wrong password gets the same answer");
        Assert.That(log, Does.Contain("refused without checking the password"));
        Assert.That(LoginInOwnProcess(config, "other", Password).Answer, Does.StartWith("a OK"), "other users are not affected");
        string directory = Path.Combine(_dir, "processes-lockout");
        Assert.That(Syscall.stat(directory, out var st), Is.Zero);
        Assert.That((int)st.st_mode & 0x1ff, Is.EqualTo(0x1c0), "the lockout directory is created 0700");
        foreach (string file in Directory.GetFiles(directory))
        {
            Assert.That(Syscall.stat(file, out var fileStat), Is.Zero);
            Assert.That((int)fileStat.st_mode & 0x1ff, Is.EqualTo(0x180), "records are 0600");
        }
    }

    [Test]
    public void AFailedLoginIsAnsweredAfterTheDelay()
    {
        // A delay long enough that "success is not delayed" holds on a loaded machine.
        string config = Config("delay", "login-failure-delay 3;");
        var watch = Stopwatch.StartNew();
        using var server = ServerProcess.Start("-i", "--config-file=" + config);
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        watch.Restart();
        Assert.That(client.Tagged("a", "LOGIN good wrong"), Does.StartWith("a NO"));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2950)));
        watch.Restart();
        Assert.That(client.Tagged("b", $"LOGIN good {Password}"), Does.StartWith("b OK"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(2500)), "success is not delayed");
    }

    private string Daemon(string name, int port, string lockout, bool singleProcess = true) => Config(name, $$"""
        login-failure-delay 0;
        mode daemon;
        foreground yes;
        server 127.0.0.1:{{port}} { single-process {{(singleProcess ? "yes" : "no")}}; };
        """, lockout);

    [Test]
    public void AnAddressFailingForManyUsersIsBlockedWhileAnotherAddressIsNot()
    {
        int port = ServerProcess.FreePort();
        using var server = ServerProcess.Start("--config-file=" + Daemon("daemon", port, "failure-interval 0;"));
        server.WaitForPort(port);
        var first = IPAddress.Loopback;
        var second = IPAddress.Parse("127.0.0.2");
        for (int i = 1; i <= 5; i++)
        {
            Assert.That(LoginOverTcp(first, port, "u" + i, "wrong"), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        }

        Assert.That(LoginOverTcp(first, port, "good", Password), Is.EqualTo(Refused),
            "after failures for five different users the address is refused, even with the right password");
        Assert.That(LoginOverTcp(second, port, "good", Password), Does.StartWith("a OK"), "another address is not affected");
        Assert.That(server.Stderr, Does.Contain("lockout: address:127.0.0.1 blocked").And.Contain("5 different users"));
    }

    [Test]
    public void FailuresForAUserFromOneAddressDoNotLockItOutFromAnother()
    {
        int port = ServerProcess.FreePort();
        using var server = ServerProcess.Start("--config-file=" + Daemon("pair", port, "failure-interval 0;"));
        server.WaitForPort(port);
        var attacker = IPAddress.Parse("127.0.0.3");
        for (int i = 1; i <= 6; i++)
        {
            LoginOverTcp(attacker, port, "good", "guess" + i);
        }

        Assert.That(LoginOverTcp(attacker, port, "good", Password), Is.EqualTo(Refused));
        Assert.That(LoginOverTcp(IPAddress.Loopback, port, "good", Password), Does.StartWith("a OK"),
            "a stranger's failures do not lock the user out everywhere");
        Assert.That(LoginOverTcp(attacker, port, "other", Password), Does.StartWith("a OK"), "nor the address for other users");
    }

    /// <summary>
    /// Eight connections guessing at once from one address, served by the login process and checked by the daemon,
    /// get at most one failure answered per second between them (the default failure-interval);
    /// a right password, from that address or another, is answered at once meanwhile.
    /// </summary>
    [Test]
    public void ParallelGuessersFromOneAddressGetAtMostOneFailurePerSecond()
    {
        int port = ServerProcess.FreePort();
        using var server = ServerProcess.Start("--config-file=" + Daemon("parallel", port, "", singleProcess: false));
        server.WaitForPort(port);
        var watch = Stopwatch.StartNew();
        var guessers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            Assert.That(LoginOverTcp(IPAddress.Parse("127.0.0.4"), port, "u" + (i % 4 + 1), "guess" + i), Does.StartWith("a NO"));
            return watch.Elapsed;
        })).ToArray();
        Thread.Sleep(1500);
        var legit = Stopwatch.StartNew();
        Assert.That(LoginOverTcp(IPAddress.Parse("127.0.0.4"), port, "good", Password), Does.StartWith("a OK"));
        Assert.That(LoginOverTcp(IPAddress.Parse("127.0.0.5"), port, "other", Password), Does.StartWith("a OK"));
        Assert.That(legit.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "right passwords are not held up by the guessers");
        // Measured at the client (after LOGOUT, with scheduling jitter): gaps of about a second.
        var answered = guessers.Select(t => t.GetAwaiter().GetResult()).Order().ToList();
        for (int i = 1; i < answered.Count; i++)
        {
            Assert.That(answered[i] - answered[i - 1], Is.GreaterThan(TimeSpan.FromMilliseconds(700)), $"failure {i + 1} came too soon after the one before");
        }

        Assert.That(answered[^1] - answered[0], Is.GreaterThan(TimeSpan.FromSeconds(6.5)), "8 failures take at least 7 intervals");
        Assert.That(System.Text.RegularExpressions.Regex.Matches(server.Stderr, @"connect from 127\.0\.0\.4:\d+: login process").Count, Is.GreaterThanOrEqualTo(9),
            "the connections were served by the login process, the attempts checked by the daemon: " + server.Stderr);
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
