using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Hosting;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The real daemon serving each connection in a process of its own: children, prestarted
/// children, max-children, crashes, SIGTERM, the pid file, detaching, descriptor hygiene.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class DaemonTests
{
    private readonly List<string> _dirs = [];
    private readonly List<ServerProcess> _servers = [];
    private readonly List<int> _detached = [];

    [TearDown]
    public void CleanUp()
    {
        foreach (int pid in _detached)
        {
            if (ProcTable.IsAlive(pid))
            {
                Syscall.kill(pid, Signum.SIGKILL);
            }
        }

        foreach (var server in _servers)
        {
            server.Dispose();
        }

        foreach (string dir in _dirs.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }

        _detached.Clear();
        _servers.Clear();
        _dirs.Clear();
    }

    [Test]
    public void EachConnectionIsServedByItsOwnChildProcess()
    {
        var (server, port, _) = Start("prestart-children 0;");
        using var first = Connect(port);
        using var second = Connect(port);
        int firstPid = SessionPid(server, first);
        int secondPid = SessionPid(server, second);

        Assert.That(firstPid, Is.Not.EqualTo(secondPid));
        Assert.That(new[] { firstPid, secondPid }, Has.None.EqualTo(server.Process.Id));
        Assert.That(ProcTable.ChildrenOf(server.Process.Id), Does.Contain(firstPid).And.Contain(secondPid));

        LoginSelectFetch(first);
        Assert.That(first.Command("z", "LOGOUT")[^1], Is.EqualTo("z OK LOGOUT Completed"));
        Assert.That(ProcTable.WaitUntil(() => !ProcTable.IsAlive(firstPid), TimeSpan.FromSeconds(10)), Is.True, "the session process exits and is reaped");
        Assert.That(ProcTable.IsAlive(secondPid), Is.True);
    }

    [Test]
    public void KilledSessionLeavesOtherSessionsAndTheDaemonWorking()
    {
        var (server, port, _) = Start("prestart-children 0;");
        using var victim = Connect(port);
        using var survivor = Connect(port);
        int victimPid = SessionPid(server, victim);

        Assert.That(Syscall.kill(victimPid, Signum.SIGKILL), Is.Zero);
        Assert.That(victim.ReadLine(), Is.Null, "the killed session's client sees the connection close");
        LoginSelectFetch(survivor);
        using var later = Connect(port);
        LoginSelectFetch(later);
        Assert.That(ProcTable.WaitUntil(() => ProcTable.Stat(victimPid) is null, TimeSpan.FromSeconds(10)), Is.True, "the killed child is reaped, not left a zombie");
        Assert.That(server.Process.HasExited, Is.False);
        Assert.That(server.Stderr, Does.Contain($"child {victimPid} killed by signal 9"));
    }

    [Test]
    public void MaxChildrenRefusesConnectionsOverTheLimitUntilOneEnds()
    {
        var (server, port, _) = Start("prestart-children 1;", "-d2");
        using var first = Connect(port);
        using var second = Connect(port);
        using (var third = new TcpLineClient(port))
        {
            Assert.That(third.ReadLine(), Is.EqualTo("* BYE Too many connections"));
            Assert.That(third.ReadLine(), Is.Null);
        }

        first.Command("z", "LOGOUT");
        bool admitted = ProcTable.WaitUntil(() =>
        {
            using var retry = new TcpLineClient(port);
            return retry.ReadLine() == "* OK IMAP4rev1";
        }, TimeSpan.FromSeconds(10));
        Assert.That(admitted, Is.True, "a connection is accepted again once a session has ended");
        Assert.That(server.Stderr, Does.Contain("too many connections"));
    }

    [Test]
    public void SigtermEndsEverySessionStopsTheChildrenAndRemovesThePidFile()
    {
        var (server, port, dir) = Start("prestart-children 2;");
        string pidFile = Path.Combine(dir, "imap4d.pid");
        Assert.That(File.ReadAllText(pidFile).Trim(), Is.EqualTo(server.Process.Id.ToString(CultureInfo.InvariantCulture)));
        using var first = Connect(port);
        using var second = Connect(port);
        LoginSelectFetch(second);
        var children = ProcTable.ChildrenOf(server.Process.Id);
        Assert.That(children, Has.Count.GreaterThanOrEqualTo(2));

        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGTERM), Is.Zero);
        Assert.That(first.ReadLine(), Is.EqualTo("* BYE Server shutting down"));
        Assert.That(second.ReadLine(), Is.EqualTo("* BYE Server shutting down"));
        Assert.That(first.ReadLine(), Is.Null);
        Assert.That(server.Process.WaitForExit(8_000), Is.True, "the daemon exits within a few seconds");
        Assert.That(server.Process.ExitCode, Is.Zero);
        Assert.That(children.Where(ProcTable.IsAlive), Is.Empty, "no session process outlives the daemon");
        Assert.That(File.Exists(pidFile), Is.False);
    }

    [Test]
    public void PidFileOfALiveProcessRefusesToStart()
    {
        string dir = NewDirectory();
        int port = ServerProcess.FreePort();
        WriteConfig(dir, port, "");
        using var holder = System.Diagnostics.Process.Start("/bin/sleep", "60");
        try
        {
            File.WriteAllText(Path.Combine(dir, "imap4d.pid"), holder.Id + "\n");
            var (code, _, stderr) = ServerProcess.Run("", "--config-file=" + Path.Combine(dir, "imap4d.conf"));
            Assert.That(code, Is.EqualTo(75));
            Assert.That(stderr, Does.Contain($"names a running process ({holder.Id})"));
            Assert.That(File.ReadAllText(Path.Combine(dir, "imap4d.pid")).Trim(), Is.EqualTo(holder.Id.ToString(CultureInfo.InvariantCulture)));
        }
        finally
        {
            holder.Kill();
        }
    }

    [Test]
    public void WithoutForegroundTheDaemonDetachesAndServes()
    {
        string dir = NewDirectory();
        int port = ServerProcess.FreePort();
        WriteConfig(dir, port, "prestart-children 1;");
        string conf = Path.Combine(dir, "imap4d.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("foreground yes;", "foreground no;"));
        var started = DateTime.UtcNow;
        var (code, stdout, stderr) = ServerProcess.Run("", "--config-file=" + conf);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(stdout, Is.Empty);

        int pid = int.Parse(File.ReadAllText(Path.Combine(dir, "imap4d.pid")).Trim(), CultureInfo.InvariantCulture);
        _detached.Add(pid);
        var stat = ProcTable.Stat(pid);
        Assert.That(stat, Is.Not.Null, "the pid file names a live process");
        Assert.That(stat!.Value.SessionId, Is.EqualTo(pid), "the daemon leads a session of its own");
        using (var client = new TcpLineClient(port))
        {
            Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"), "it listens as soon as the starter returned");
            LoginSelectFetch(client);
        }

        var (again, _, againStderr) = ServerProcess.Run("", "--config-file=" + conf);
        Assert.That(again, Is.EqualTo(75), "a second daemon refuses to start");
        Assert.That(againStderr, Does.Contain("names a running process"));

        Assert.That(Syscall.kill(pid, Signum.SIGTERM), Is.Zero);
        Assert.That(ProcTable.WaitUntil(() => !ProcTable.IsAlive(pid), TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(File.Exists(Path.Combine(dir, "imap4d.pid")), Is.False);
    }

    [Test]
    public void DetachingReportsWhyTheDaemonCannotStart()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        string dir = NewDirectory();
        WriteConfig(dir, port, "");
        string conf = Path.Combine(dir, "imap4d.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("foreground yes;", "foreground no;"));
        var (code, _, stderr) = ServerProcess.Run("", "--config-file=" + conf);
        Assert.That(code, Is.EqualTo(69), "EX_UNAVAILABLE, passed on by the starting process");
        Assert.That(stderr, Does.Contain("cannot listen"));
        Assert.That(File.Exists(Path.Combine(dir, "imap4d.pid")), Is.False);
    }

    [Test]
    public void ChildrenInheritNoListeningSocketNorOtherDescriptors()
    {
        var (server, port, _) = Start("prestart-children 1;");
        string? inode = ProcTable.ListeningSocketInode(port);
        Assert.That(inode, Is.Not.Null);
        using var client = Connect(port);
        int session = SessionPid(server, client);
        Assert.That(ProcTable.WaitUntil(() => ProcTable.ChildrenOf(server.Process.Id).Count >= 2, TimeSpan.FromSeconds(20)), Is.True);

        Assert.That(ProcTable.DescriptorTargets(server.Process.Id), Does.Contain($"socket:[{inode}]"), "the daemon holds it");
        foreach (int child in ProcTable.ChildrenOf(server.Process.Id))
        {
            var targets = ProcTable.DescriptorTargets(child);
            Assert.That(targets, Does.Not.Contain($"socket:[{inode}]"), $"child {child}");
        }

        // fds 0 and 1 of the session are its connection, nothing of the daemon's.
        string fd0 = new FileInfo($"/proc/{session}/fd/0").LinkTarget!;
        Assert.That(fd0, Does.StartWith("socket:["));
        Assert.That(new FileInfo($"/proc/{session}/fd/1").LinkTarget, Is.EqualTo(fd0));
        var daemonSockets = ProcTable.DescriptorTargets(server.Process.Id).Where(t => t.StartsWith("socket:", StringComparison.Ordinal)).ToHashSet();
        Assert.That(daemonSockets, Does.Not.Contain(fd0), "the daemon keeps no copy of a handed-over connection");
    }

    [Test]
    public void PrestartedChildrenWaitAndServeTheNextConnection()
    {
        var (server, port, _) = Start("prestart-children 2;");
        Assert.That(ProcTable.WaitUntil(() => Regex.Matches(server.Stderr, "prestarted child \\d+ ready").Count >= 2, TimeSpan.FromSeconds(30)), Is.True,
            "two children report ready: " + server.Stderr);
        var idle = ProcTable.ChildrenOf(server.Process.Id);
        Assert.That(idle, Has.Count.EqualTo(2));

        using var client = Connect(port);
        int pid = SessionPid(server, client);
        Assert.That(idle, Does.Contain(pid), "served by a process that existed before the connection");
        Assert.That(server.Stderr, Does.Contain($"session process {pid} (prestarted)"));
        LoginSelectFetch(client);
        Assert.That(ProcTable.WaitUntil(() => ProcTable.ChildrenOf(server.Process.Id).Count == 3, TimeSpan.FromSeconds(30)), Is.True,
            "the pool is refilled: two idle children besides the session");
    }

    [Test]
    public void AnIdlePoolKeepsOneChildAndFillsUpAgainOnceOneIsTaken()
    {
        var (server, port, _) = Start("prestart-children 2;");
        Assert.That(ProcTable.WaitUntil(() => Regex.Matches(server.Stderr, "prestarted child \\d+ ready").Count >= 2, TimeSpan.FromSeconds(30)), Is.True,
            "two children report ready: " + server.Stderr);

        // No connection for PrestartPool.IdleAfter: the pool lets one of its two children go.
        Assert.That(ProcTable.WaitUntil(() => ProcTable.ChildrenOf(server.Process.Id).Count == 1, PrestartPool.IdleAfter + TimeSpan.FromSeconds(20)), Is.True,
            () => "one idle child left: " + server.Stderr);
        Assert.That(server.Stderr, Does.Match("prestarted child \\d+ released"));
        var idle = ProcTable.ChildrenOf(server.Process.Id);

        using var client = Connect(port);
        int pid = SessionPid(server, client);
        Assert.That(idle, Does.Contain(pid), "the kept child serves the next connection");
        LoginSelectFetch(client);
        Assert.That(ProcTable.WaitUntil(() => ProcTable.ChildrenOf(server.Process.Id).Count == 3, TimeSpan.FromSeconds(30)), Is.True,
            "a connection makes the pool fill up to two again besides the session");
    }

    [Test]
    public void PrestartedChildrenRunNoConnectionCheckBeforeAClientComes()
    {
        string dir = NewDirectory();
        Directory.CreateDirectory(dir);
        string log = Path.Combine(dir, "preauth.log");
        string program = Path.Combine(dir, "preauth.sh");
        File.WriteAllText(program, $"#!/bin/sh\necho \"$@\" >> {log}\nexit 1\n");
        File.SetUnixFileMode(program, (UnixFileMode)0x1ed); // 0755
        var (server, port, _) = Start($"prestart-children 2; preauth \"prog://{program} ${{server_port}} ${{client_port}}\";");
        Assert.That(ProcTable.WaitUntil(() => Regex.Matches(server.Stderr, "prestarted child \\d+ ready").Count >= 2, TimeSpan.FromSeconds(30)), Is.True,
            "two children report ready (after their warm-up): " + server.Stderr);

        using var client = Connect(port);
        string expected = $"{port} {client.LocalPort}";
        Assert.That(ProcTable.WaitUntil(() => File.Exists(log) && File.ReadAllText(log).Contains(expected, StringComparison.Ordinal), TimeSpan.FromSeconds(10)), Is.True,
            "a real client runs it");
        // Only connections to the daemon's port (the test's start-up probe and the client), never
        // a prestarted process's warm-up session on its own loopback port.
        Assert.That(File.ReadAllLines(log), Has.All.StartsWith($"{port} "), File.ReadAllText(log));
    }

    [Test]
    public void SighupReplacesTheIdleChildren()
    {
        var (server, _, _) = Start("prestart-children 1;");
        // A settled pool: its one child is the one that said ready (the child that served Start's
        // probe said ready too, and its replacement may still be warming up).
        List<int> before = [];
        Assert.That(ProcTable.WaitUntil(() =>
        {
            before = ProcTable.ChildrenOf(server.Process.Id);
            return before.Count == 1 && server.Stderr.Contains($"prestarted child {before[0]} ready", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30)), Is.True, server.Stderr);
        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGHUP), Is.Zero);
        Assert.That(ProcTable.WaitUntil(() =>
        {
            var now = ProcTable.ChildrenOf(server.Process.Id);
            return now.Count == 1 && !now.Intersect(before).Any();
        }, TimeSpan.FromSeconds(30)), Is.True, () => SignalState(server.Process.Id) + server.Stderr);
        Assert.That(server.Process.HasExited, Is.False);
        Assert.That(server.Stderr, Does.Contain("SIGHUP: new sessions use the current configuration"));
    }

    [Test]
    public void SighupReachesADaemonThatInheritedItBlocked()
    {
        // A signal blocked in every thread is never delivered: the daemon unblocks the ones it acts on.
        string dir = NewDirectory();
        int port = ServerProcess.FreePort();
        WriteConfig(dir, port, "prestart-children 1;");
        var server = ServerProcess.StartWithSignalsBlocked(["SIGHUP", "SIGTERM", "SIGCHLD"], "--config-file=" + Path.Combine(dir, "imap4d.conf"));
        _servers.Add(server);
        server.WaitForPort(port);
        Assert.That(ProcTable.WaitUntil(() => server.Stderr.Contains("prestarted child", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            Is.True, server.Stderr);
        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGHUP), Is.Zero);
        Assert.That(ProcTable.WaitUntil(() => server.Stderr.Contains("SIGHUP: new sessions use the current configuration", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), Is.True, () => SignalState(server.Process.Id) + server.Stderr);
        Assert.That(Syscall.kill(server.Process.Id, Signum.SIGTERM), Is.Zero);
        Assert.That(server.Process.WaitForExit(20_000), Is.True, "SIGTERM stops it: " + SignalState(server.Process.Id));
    }

    /// <summary>The signal lines of /proc status for a process and for this test's thread (blocked, ignored, caught).</summary>
    private static string SignalState(int pid)
    {
        static string Of(string status) =>
            File.Exists(status) ? string.Join(" ", File.ReadLines(status).Where(l => l.StartsWith("Sig", StringComparison.Ordinal))) : "(gone)";
        return $"daemon {pid}: {Of($"/proc/{pid}/status")}\ntest thread: {Of($"/proc/thread-self/status")}\n";
    }

    private (ServerProcess Server, int Port, string Dir) Start(string extra, params string[] arguments)
    {
        string dir = NewDirectory();
        int port = ServerProcess.FreePort();
        WriteConfig(dir, port, extra);
        var server = ServerProcess.Start([.. arguments, "--config-file=" + Path.Combine(dir, "imap4d.conf")]);
        _servers.Add(server);
        server.WaitForPort(port);
        // The probe connection of WaitForPort got a session process of its own; let it end and be reaped.
        var probe = new Regex("session process (\\d+)");
        Match match = Match.Empty;
        Assert.That(ProcTable.WaitUntil(() => (match = probe.Match(server.Stderr)).Success, TimeSpan.FromSeconds(20)), Is.True, server.Stderr);
        Assert.That(ProcTable.WaitUntil(() => server.Stderr.Contains($"child {match.Groups[1].Value} ended", StringComparison.Ordinal), TimeSpan.FromSeconds(20)),
            Is.True, server.Stderr);
        return (server, port, dir);
    }

    /// <summary>
    /// The demo configuration with sessions in processes of their own, debug logging and a pid
    /// file, without the login process: these tests are about the process per connection that
    /// serves connections from before login (as with preauth; LoginProcessTests cover the login process).
    /// </summary>
    private static void WriteConfig(string dir, int port, string extra)
    {
        DemoDaemonTests.WriteDemo(dir, port, extra: $"pidfile \"{dir}/imap4d.pid\";\nlogging {{ severity debug; }};\nlogin-process no;\n{extra}\n");
        string conf = Path.Combine(dir, "imap4d.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("single-process yes;", "single-process no;"));
    }

    private string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-daemon-{Guid.NewGuid():N}");
        _dirs.Add(dir);
        return dir;
    }

    private static TcpLineClient Connect(int port)
    {
        var client = new TcpLineClient(port);
        Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"));
        return client;
    }

    /// <summary>The pid of the process serving <paramref name="client"/>, from the daemon's log.</summary>
    private static int SessionPid(ServerProcess server, TcpLineClient client)
    {
        var pattern = new Regex($"connect from 127\\.0\\.0\\.1:{client.LocalPort}: session process (\\d+)");
        Match match = Match.Empty;
        Assert.That(ProcTable.WaitUntil(() => (match = pattern.Match(server.Stderr)).Success, TimeSpan.FromSeconds(10)), Is.True,
            "the daemon logs which process serves the connection: " + server.Stderr);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void LoginSelectFetch(TcpLineClient client)
    {
        Assert.That(client.Command("a", "LOGIN demo demo")[^1], Does.StartWith("a OK"));
        var select = client.Command("b", "SELECT INBOX");
        Assert.That(select, Does.Contain("* 3 EXISTS"));
        Assert.That(select[^1], Does.StartWith("b OK"));
        var fetch = client.Command("c", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        Assert.That(fetch, Does.Contain("Subject: Welcome to imap4d"));
        Assert.That(fetch[^1], Is.EqualTo("c OK FETCH Completed"));
    }
}
