using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Privilege separation in daemon mode (`login-process yes`): connections before login are
/// held by one process running as login-user, credentials are checked by the daemon, and a
/// logged-in connection continues in a process running as the user, with its pipelined input,
/// over TLS through the login process's relay.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class LoginProcessTests
{
    private readonly List<ServerProcess> _servers = [];
    private SystemAccount _user = null!;
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        _dir = Directory.CreateTempSubdirectory("i4a-login-").FullName;
        _user = SystemAccount.Create("l", "login-Password-3");
        File.WriteAllText(Path.Combine(_user.Home, "INBOX"), "From someone@example.org Mon Dec  7 00:00:00 2026\nSubject: hello\n\nbody\n");
        _user.Own(Path.Combine(_user.Home, "INBOX"), 0x180);
    }

    [TearDown]
    public void TearDown()
    {
        _servers.ForEach(s => s.Dispose());
        _servers.Clear();
        _user.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void TheUnauthenticatedConnectionIsHeldByAnUnprivilegedProcessAndTheSessionRunsAsTheUser()
    {
        var (server, port) = Start("");
        using var client = Connect(port);
        int login = LoginProcess(server);
        string inode = ServerSocketInode(port, client.LocalPort);
        Assert.That(ProcTable.DescriptorTargets(login), Does.Contain($"socket:[{inode}]"), "the login process holds the connection");
        Assert.That(ProcTable.DescriptorTargets(server.Process.Id), Does.Not.Contain($"socket:[{inode}]"), "the daemon keeps no copy");
        foreach (string field in new[] { "Uid", "Gid" })
        {
            Assert.That(Field(login, field), Has.None.EqualTo("0"), field);
        }

        Assert.That(Field(login, "Uid"), Has.All.EqualTo(Syscall.getpwnam("nobody")!.pw_uid.ToString(CultureInfo.InvariantCulture)));
        Assert.That(Field(login, "CapEff"), Is.EqualTo(new[] { "0000000000000000" }));
        Assert.That(Field(login, "CapPrm"), Is.EqualTo(new[] { "0000000000000000" }));
        Assert.That(Field(login, "NoNewPrivs"), Is.EqualTo(new[] { "1" }));

        Assert.That(client.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK [CAPABILITY IMAP4rev1 ").And.EndWith("] LOGIN Completed"));
        int session = SessionProcess(server, client);
        Assert.That(session, Is.Not.EqualTo(login));
        Assert.That(Field(session, "Uid"), Has.All.EqualTo(_user.Uid.ToString(CultureInfo.InvariantCulture)));
        Assert.That(ProcTable.DescriptorTargets(session), Does.Contain($"socket:[{inode}]"), "the session process holds the connection now");
        Assert.That(ProcTable.WaitUntil(() => !ProcTable.DescriptorTargets(login).Contains($"socket:[{inode}]"), TimeSpan.FromSeconds(5)), Is.True,
            "the login process let it go");
        Assert.That(client.Command("b", "SELECT INBOX"), Does.Contain("* 1 EXISTS"));
        Assert.That(client.Command("z", "LOGOUT")[^1], Is.EqualTo("z OK LOGOUT Completed"));
        var closing = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(client.ReadLine(), Is.Null, "the connection closes after LOGOUT, though the user's process lingers");
        Assert.That(closing.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "closed, not timed out");
        Assert.That(ProcTable.IsAlive(session), Is.True, "the process lingers for the user's next login");
    }

    [Test]
    public void AHundredAndFiftyIdleUnauthenticatedConnectionsDoNotKeepAUserOut()
    {
        var (_, port) = Start("max-children 5;");
        var idle = new List<TcpLineClient>();
        try
        {
            for (int i = 0; i < 150; i++)
            {
                idle.Add(Connect(port));
            }

            using var client = Connect(port);
            Assert.That(client.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
            Assert.That(client.Command("b", "STATUS INBOX (MESSAGES)"), Does.Contain("* STATUS INBOX (MESSAGES 1)"));
            Assert.That(idle[0].Command("c", "NOOP")[^1], Is.EqualTo("c OK NOOP Completed"), "the idle ones are still served");
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Test]
    public void OverMaxLoginConnectionsTheOldestUnauthenticatedConnectionIsClosed()
    {
        var (server, port) = Start("max-login-connections 3;");
        using var first = Connect(port);
        using var second = Connect(port);
        using var third = Connect(port);
        using var fourth = Connect(port);
        Assert.That(first.ReadLine(), Is.EqualTo("* BYE Too many unauthenticated connections"));
        Assert.That(first.ReadLine(), Is.Null);
        Assert.That(second.Command("a", "NOOP")[^1], Is.EqualTo("a OK NOOP Completed"));
        Assert.That(fourth.Command("b", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("b OK"));
        using var fifth = Connect(port);
        Assert.That(second.Command("c", "NOOP")[^1], Is.EqualTo("c OK NOOP Completed"), "the logged-in connection no longer counts");
        using var sixth = Connect(port);
        Assert.That(second.ReadLine(), Is.EqualTo("* BYE Too many unauthenticated connections"), "then the oldest goes");
        Assert.That(third.Command("d", "NOOP")[^1], Is.EqualTo("d OK NOOP Completed"));
        Assert.That(server.Stderr, Does.Contain("max-login-connections reached"));
    }

    [Test]
    public void CommandsPipelinedAfterLoginAreAnsweredByTheSessionProcess()
    {
        var (server, port) = Start("");
        using var client = Connect(port);
        client.Send($"a LOGIN {_user.Name} {_user.Password}\r\nb NOOP\r\nc SELECT INBOX\r\nd FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
        var lines = ReadUntil(client, "d ");
        Assert.That(lines, Has.Some.StartsWith("a OK [CAPABILITY "));
        Assert.That(lines, Does.Contain("b OK NOOP Completed"));
        Assert.That(lines, Has.Some.StartsWith("c OK [READ-WRITE]"));
        Assert.That(lines, Does.Contain("Subject: hello"));
        Assert.That(lines[^1], Is.EqualTo("d OK FETCH Completed"));
        Assert.That(SessionProcess(server, client), Is.Not.EqualTo(LoginProcess(server)));
    }

    [Test]
    public void AuthenticatePlainWithAnInitialResponseAndAsAContinuation()
    {
        var (_, port) = Start("");
        string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_user.Name}\0{_user.Password}"));
        using (var client = Connect(port))
        {
            Assert.That(client.Command("a", "AUTHENTICATE PLAIN " + plain)[^1], Does.StartWith("a OK [CAPABILITY ").And.EndWith("AUTHENTICATE Completed"));
            Assert.That(client.Command("b", "SELECT INBOX"), Does.Contain("* 1 EXISTS"));
        }

        using (var client = Connect(port))
        {
            client.Send("a AUTHENTICATE PLAIN\r\n");
            Assert.That(client.ReadLine(), Is.EqualTo("+ "));
            client.Send(plain + "\r\nb NOOP\r\n");
            Assert.That(client.ReadLine(), Does.StartWith("a OK [CAPABILITY "));
            Assert.That(client.ReadLine(), Is.EqualTo("b OK NOOP Completed"));
        }

        using (var client = Connect(port))
        {
            string wrong = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_user.Name}\0wrong"));
            Assert.That(client.Command("a", "AUTHENTICATE PLAIN " + wrong)[^1], Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
            Assert.That(client.Command("b", "AUTHENTICATE PLAIN " + plain)[^1], Does.StartWith("b OK"), "the same connection may try again");
        }
    }

    [Test]
    public void AWrongPasswordIsRefusedAndCountsTowardsTheLockout()
    {
        var (server, port) = Start("lockout { max-failures 2; window \"10 minutes\"; lock-time \"10 minutes\"; }");
        using var client = Connect(port);
        Assert.That(client.Command("a", $"LOGIN {_user.Name} wrong")[^1], Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        Assert.That(client.Command("b", $"LOGIN {_user.Name} wrong")[^1], Is.EqualTo("b NO [AUTHENTICATIONFAILED] Authentication failed"));
        Assert.That(client.Command("c", $"LOGIN {_user.Name} {_user.Password}")[^1], Is.EqualTo("c NO [UNAVAILABLE] Too many failed logins; try again later"));
        Assert.That(client.Command("d", "NOOP")[^1], Is.EqualTo("d OK NOOP Completed"), "the login process still serves the connection");
        Assert.That(server.Stderr, Does.Contain("lockout: "));
    }

    [Test]
    public void LoginTimeoutClosesAnIdleUnauthenticatedConnection()
    {
        var (_, port) = Start("login-timeout 1;");
        using var client = Connect(port);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(client.ReadLine(), Is.EqualTo("* BYE Session timed out"));
        Assert.That(client.ReadLine(), Is.Null);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void ADeadLoginProcessIsReplacedAndLoggedInSessionsGoOn()
    {
        var (server, port) = Start("");
        using var established = Connect(port);
        Assert.That(established.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
        int first = LoginProcess(server);
        Assert.That(Syscall.kill(first, Signum.SIGKILL), Is.Zero);
        Assert.That(ProcTable.WaitUntil(() => LoginProcess(server) != first, TimeSpan.FromSeconds(20)), Is.True, server.Stderr);
        Assert.That(established.Command("b", "SELECT INBOX"), Does.Contain("* 1 EXISTS"));
        using var later = Connect(port);
        Assert.That(later.Command("c", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("c OK"));
        Assert.That(server.Process.HasExited, Is.False);
    }

    [Test]
    public void StartTlsAndImplicitTlsLoginsContinueOverTheRelay()
    {
        using var tls = TlsEnvironment.Create();
        int implicitPort = ServerProcess.FreePort();
        var (server, port) = Start($"tls-mode ondemand;\n{tls.TlsBlock}server 127.0.0.1:{implicitPort} {{ single-process no; tls-mode connection; }}\n");
        server.WaitForPort(implicitPort);
        foreach (var (client, target, starttls) in new[] { ("IMAP4", port, true), ("IMAP4_SSL", implicitPort, false) })
        {
            string output = TlsEnvironment.Python($$"""
                import imaplib, ssl
                ctx = ssl.create_default_context(cafile='{{tls.CertificateFile}}')
                c = imaplib.{{client}}('127.0.0.1', {{target}}{{(starttls ? "" : ", ssl_context=ctx")}})
                if {{(starttls ? "True" : "False")}}:
                    c.starttls(ssl_context=ctx)
                print('login', c.login('{{_user.Name}}', '{{_user.Password}}')[0])
                print('select', c.select('INBOX'))
                typ, data = c.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
                print('fetch', typ, data[0][1].decode().strip())
                big = 'x' * 200000
                print('append', c.append('INBOX', None, None, ('Subject: big\r\n\r\n' + big + '\r\n').encode())[0])
                typ, data = c.fetch('2', '(BODY[TEXT])')
                print('big', len(data[0][1]))
                c.send(b'z LOGOUT\r\n')
                c.sock.settimeout(10)
                data = b''
                try:
                    while True:
                        d = c.sock.recv(4096)
                        if not d:
                            break
                        data += d
                except ssl.SSLError:
                    pass
                print('logout', b'* BYE' in data and b'z OK LOGOUT' in data, 'then end of stream')
                """);
            Assert.That(output, Does.Contain("login OK"), client);
            Assert.That(output, Does.Contain("select ('OK', [b'1'])"), client);
            Assert.That(output, Does.Contain("fetch OK Subject: hello"), client);
            Assert.That(output, Does.Contain("append OK"), client);
            Assert.That(output, Does.Contain("big 200002"), client);
            Assert.That(output, Does.Contain("logout True then end of stream"), client);
            File.WriteAllText(Path.Combine(_user.Home, "INBOX"), "From someone@example.org Mon Dec  7 00:00:00 2026\nSubject: hello\n\nbody\n");
        }
    }

    [Test]
    public void ConnectionsOfOneUserShareAProcessWhichLingersForTheNextLogin()
    {
        var other = SystemAccount.Create("o", "other-Password-4");
        try
        {
            var (server, port) = Start("sessions-per-user-process 2;\nuser-process-linger 2;");
            using var first = Connect(port);
            using var second = Connect(port);
            using var third = Connect(port);
            using var stranger = Connect(port);
            foreach (var (client, tag) in new[] { (first, "a"), (second, "b"), (third, "c") })
            {
                Assert.That(client.Command(tag, $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith(tag + " OK"));
            }

            Assert.That(stranger.Command("d", $"LOGIN {other.Name} {other.Password}")[^1], Does.StartWith("d OK"));
            int shared = SessionProcess(server, first);
            Assert.That(SessionProcess(server, second), Is.EqualTo(shared), "two connections of one user, one process");
            Assert.That(SessionProcess(server, third), Is.Not.EqualTo(shared), "at most sessions-per-user-process in one");
            Assert.That(SessionProcess(server, stranger), Is.Not.EqualTo(shared).And.Not.EqualTo(SessionProcess(server, third)), "another user, another process");
            Assert.That(Field(SessionProcess(server, stranger), "Uid"), Has.All.EqualTo(other.Uid.ToString(CultureInfo.InvariantCulture)));
            Assert.That(first.Command("e", "SELECT INBOX"), Does.Contain("* 1 EXISTS"));
            Assert.That(second.Command("f", "SELECT INBOX"), Does.Contain("* 1 EXISTS"));

            first.Command("z", "LOGOUT");
            second.Command("z", "LOGOUT");
            using var later = Connect(port);
            Assert.That(later.Command("g", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("g OK"));
            Assert.That(SessionProcess(server, later), Is.EqualTo(shared).Or.EqualTo(SessionProcess(server, third)),
                "the next login goes to a lingering or running process of the user");
            later.Command("z", "LOGOUT");
            third.Command("z", "LOGOUT");
            Assert.That(ProcTable.WaitUntil(() => !ProcTable.IsAlive(shared), TimeSpan.FromSeconds(10)), Is.True, "it exits after lingering");
            Assert.That(stranger.Command("h", "NOOP")[^1], Is.EqualTo("h OK NOOP Completed"));
        }
        finally
        {
            other.Dispose();
        }
    }

    [Test]
    public void MaxChildrenCountsLoggedInSessionsOnly()
    {
        var (_, port) = Start("max-children 1;\nsessions-per-user-process 1;");
        using var waiting = Connect(port);
        using var first = Connect(port);
        using var second = Connect(port);
        Assert.That(first.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
        Assert.That(second.Command("b", $"LOGIN {_user.Name} {_user.Password}")[^1], Is.EqualTo("b NO [UNAVAILABLE] Too many sessions; try again later"));
        Assert.That(second.Command("c", "NOOP")[^1], Is.EqualTo("c OK NOOP Completed"), "it may wait and try again");
        first.Command("z", "LOGOUT");
        Assert.That(ProcTable.WaitUntil(() => second.Command("d", $"LOGIN {_user.Name} {_user.Password}")[^1].StartsWith("d OK", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)), Is.True, "once a session ends a login gets in");
        Assert.That(waiting.Command("e", "NOOP")[^1], Is.EqualTo("e OK NOOP Completed"));
    }

    [Test]
    public void SigtermSaysByeToConnectionsBeforeAndAfterLoginOverPlainAndTls()
    {
        using var tls = TlsEnvironment.Create();
        var (server, port) = Start($"tls-mode ondemand;\n{tls.TlsBlock}");
        using var waiting = Connect(port);
        using var loggedIn = Connect(port);
        Assert.That(loggedIn.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
        var children = ProcTable.ChildrenOf(server.Process.Id);
        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGTERM), Is.Zero);
        Assert.That(waiting.ReadLine(), Is.EqualTo("* BYE Server shutting down"));
        Assert.That(loggedIn.ReadLine(), Is.EqualTo("* BYE Server shutting down"));
        Assert.That(waiting.ReadLine(), Is.Null);
        Assert.That(server.Process.WaitForExit(10_000), Is.True, "the daemon exits within a few seconds");
        Assert.That(ProcTable.WaitUntil(() => !children.Any(ProcTable.IsAlive), TimeSpan.FromSeconds(5)), Is.True, "no child outlives the daemon");
    }

    [Test]
    public void NeitherTheLoginProcessNorASessionHoldsTheListeningSocket()
    {
        var (server, port) = Start("");
        string? listening = ProcTable.ListeningSocketInode(port);
        Assert.That(listening, Is.Not.Null);
        using var client = Connect(port);
        Assert.That(client.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
        int session = SessionProcess(server, client);
        foreach (int pid in new[] { LoginProcess(server), session })
        {
            Assert.That(ProcTable.DescriptorTargets(pid), Does.Not.Contain($"socket:[{listening}]"), $"process {pid}");
        }

        // The session's fds 0 and 1 are the connection; nothing else of the daemon's beyond fd 2 (its log).
        string fd0 = new FileInfo($"/proc/{session}/fd/0").LinkTarget!;
        Assert.That(fd0, Is.EqualTo($"socket:[{ServerSocketInode(port, client.LocalPort)}]"));
        Assert.That(new FileInfo($"/proc/{session}/fd/1").LinkTarget, Is.EqualTo(fd0));
    }

    [Test]
    public void SighupReplacesTheLoginProcessAndTheOldOneFinishesItsConnections()
    {
        var (server, port) = Start("");
        using var before = Connect(port);
        int old = LoginProcess(server);
        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGHUP), Is.Zero);
        Assert.That(ProcTable.WaitUntil(() => LoginProcess(server) != old && server.Stderr.Contains("login process retired", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), Is.True, server.Stderr);
        using var after = Connect(port);
        Assert.That(after.Command("a", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("a OK"));
        Assert.That(ProcTable.IsAlive(old), Is.True, "the old login process still holds a connection");
        Assert.That(before.Command("b", $"LOGIN {_user.Name} {_user.Password}")[^1], Does.StartWith("b OK"), "and can still log it in");
        Assert.That(ProcTable.WaitUntil(() => !ProcTable.IsAlive(old), TimeSpan.FromSeconds(10)), Is.True, "then it exits");
        Assert.That(after.Command("c", "NOOP")[^1], Is.EqualTo("c OK NOOP Completed"));
    }

    private (ServerProcess Server, int Port) Start(string extra)
    {
        var (server, port) = LoginProcessDaemon.Start(_dir, "mailbox { mailbox-pattern \"$home/INBOX\"; }\n" + extra);
        _servers.Add(server);
        return (server, port);
    }

    private static TcpLineClient Connect(int port)
    {
        var client = new TcpLineClient(port);
        Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        return client;
    }

    private static List<string> ReadUntil(TcpLineClient client, string tagPrefix)
    {
        var lines = new List<string>();
        while (client.ReadLine() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(tagPrefix, StringComparison.Ordinal))
            {
                break;
            }
        }

        return lines;
    }

    /// <summary>The current login process, from the daemon's log.</summary>
    private static int LoginProcess(ServerProcess server)
    {
        var matches = Regex.Matches(server.Stderr, @"login process (\d+) started");
        Assert.That(matches, Is.Not.Empty, server.Stderr);
        return int.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static int SessionProcess(ServerProcess server, TcpLineClient client)
    {
        var pattern = new Regex($@"login of \S+ from 127\.0\.0\.1:{client.LocalPort}: session process (\d+)");
        Match match = Match.Empty;
        Assert.That(ProcTable.WaitUntil(() => (match = pattern.Match(server.Stderr)).Success, TimeSpan.FromSeconds(10)), Is.True, server.Stderr);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The inode of the daemon side of the TCP connection from <paramref name="clientPort"/> (/proc/net/tcp).</summary>
    private static string ServerSocketInode(int serverPort, int clientPort)
    {
        string local = $"0100007F:{serverPort:X4}";
        string remote = $"0100007F:{clientPort:X4}";
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] == local && fields[2] == remote)
            {
                return fields[9];
            }
        }

        throw new AssertionException($"no connection from port {clientPort} in /proc/net/tcp");
    }

    private static string[] Field(int pid, string name) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1..];
}
