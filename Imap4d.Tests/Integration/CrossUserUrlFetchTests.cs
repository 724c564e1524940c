using System.Globalization;
using System.Text.RegularExpressions;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// URLFETCH of a URLAUTH URL another user made (RFC 4467), through a daemon with a login
/// process, as root: system users with their own uids, whose sessions cannot read each other's
/// mail, so the daemon has a worker that is the URL's owner verify the token and read the message;
/// and virtual users sharing one uid, whose sessions read the owner's mailbox themselves.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public partial class CrossUserUrlFetchTests
{
    private const string Message = "From a@example.org Mon Dec  7 00:00:00 2026\nSubject: cross\n\nhello from the owner\n";

    private readonly List<ServerProcess> _servers = [];
    private readonly List<SystemAccount> _accounts = [];
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        _dir = Directory.CreateTempSubdirectory("i4a-urlx-").FullName;
        Syscall.chmod(_dir, (FilePermissions)0x1ed);
    }

    [TearDown]
    public void TearDown()
    {
        _servers.ForEach(s => s.Dispose());
        _servers.Clear();
        _accounts.ForEach(a => a.Dispose());
        _accounts.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void SystemUsersFetchEachOthersUrlsThroughTheOwnersWorkerOnlyAsTheAccessIdentifierAllows()
    {
        var a = Account("a");
        var b = Account("b");
        var c = Account("c");
        var (server, port) = Start($"mailbox {{ mailbox-pattern \"$home/INBOX\"; }}");
        using var owner = Login(port, a.Name, a.Password);
        var urls = Generate(owner, a.Name, "anonymous", "authuser", "user+" + b.Name, "user+" + c.Name);
        using var second = Login(port, b.Name, b.Password);
        using var third = Login(port, c.Name, c.Password);

        Assert.That(Fetch(second, urls[0]), Is.EqualTo("hello from the owner"), "anonymous");
        Assert.That(Fetch(second, urls[1]), Is.EqualTo("hello from the owner"), "authuser");
        Assert.That(Fetch(second, urls[2]), Is.EqualTo("hello from the owner"), "user+B for B");
        Assert.That(Fetch(second, urls[3]), Is.Null, "user+C for B");
        Assert.That(Fetch(third, urls[2]), Is.Null, "user+B for C");
        Assert.That(Fetch(third, urls[3]), Is.EqualTo("hello from the owner"), "user+C for C");
        Assert.That(Fetch(second, WrongToken(urls[0])), Is.Null, "a token not made with the owner's key");
        Assert.That(Fetch(second, urls[0].Replace("uid=1", "uid=2", StringComparison.Ordinal)), Is.Null, "another URL with the same token");
        // The daemon logs after it answered, and its stderr is read asynchronously: wait for the line.
        Assert.That(ProcTable.WaitUntil(() => server.Stderr.Contains($"URL of {a.Name} fetched for {b.Name}", StringComparison.Ordinal), TimeSpan.FromSeconds(5)),
            Is.True, "through the daemon's worker:\n" + server.Stderr);

        Assert.That(owner.Command("r", "RESETKEY INBOX")[^1], Does.StartWith("r OK"));
        Assert.That(Fetch(second, urls[0]), Is.Null, "RESETKEY voids the URLs made before");
        Assert.That(Fetch(third, urls[3]), Is.Null, "for everyone");
    }

    [Test]
    public void AWorkerThatDoesNotAnswerGivesNoAndTheSessionGoesOn()
    {
        var a = Account("a");
        var b = Account("b");
        var (_, port) = Start($"mailbox {{ mailbox-pattern \"$home/INBOX\"; }}");
        using var owner = Login(port, a.Name, a.Password);
        var urls = Generate(owner, a.Name, "authuser");
        using var second = Login(port, b.Name, b.Password);
        Assert.That(Fetch(second, urls[0]), Is.EqualTo("hello from the owner"));
        int worker = WorkerOf(a);
        Assert.That(Syscall.kill(worker, Signum.SIGSTOP), Is.Zero);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lines = second.Command("f", $"URLFETCH \"{urls[0]}\"");
        Assert.That(lines, Does.Contain($"* URLFETCH \"{urls[0]}\" NIL"));
        Assert.That(lines[^1], Does.StartWith("f NO [UNAVAILABLE]"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(12)));
        Assert.That(ProcTable.WaitUntil(() => !ProcTable.IsAlive(worker), TimeSpan.FromSeconds(5)), Is.True, "the stuck worker is killed");
        Assert.That(second.Command("n", "NOOP")[^1], Is.EqualTo("n OK NOOP Completed"));
        Assert.That(Fetch(second, urls[0]), Is.EqualTo("hello from the owner"), "a new worker answers the next request");
    }

    [Test]
    public void VirtualUsersSharingOneUidReadTheOwnersMailboxThemselves()
    {
        var shared = Account("v");
        string users = Path.Combine(_dir, "users");
        var (code, hash) = ExternalProgram.Run("openssl", ["passwd", "-6", "-salt", "urlxtest", "vpass"]);
        Assert.That(code, Is.Zero, hash);
        var lines = new List<string>();
        foreach (string name in new[] { "vowner", "vreader", "vother" })
        {
            string home = Path.Combine(shared.Home, name);
            Directory.CreateDirectory(home);
            File.WriteAllText(Path.Combine(home, "INBOX"), Message);
            shared.Own(home, 0x1c0);
            shared.Own(Path.Combine(home, "INBOX"), 0x180);
            lines.Add($"{name}:{hash.Trim()}:{shared.Uid}:{shared.Gid}::{home}:/bin/false");
        }

        File.WriteAllLines(users, lines);
        var (server, port) = Start($"virtual-users {{ file \"{users}\"; }} mailbox {{ mailbox-pattern \"$home/INBOX\"; }}");
        using var owner = Login(port, "vowner", "vpass");
        var urls = Generate(owner, "vowner", "user+vreader", "anonymous");
        using var reader = Login(port, "vreader", "vpass");
        using var other = Login(port, "vother", "vpass");
        Assert.That(Fetch(reader, urls[0]), Is.EqualTo("hello from the owner"));
        Assert.That(Fetch(other, urls[0]), Is.Null, "user+vreader is not for vother");
        Assert.That(Fetch(other, urls[1]), Is.EqualTo("hello from the owner"));
        Assert.That(Fetch(other, WrongToken(urls[1])), Is.Null);
        Assert.That(server.Stderr, Does.Not.Contain("URL of vowner fetched"), "read by the session itself, no worker");
        Assert.That(owner.Command("r", "RESETKEY")[^1], Does.StartWith("r OK"));
        Assert.That(Fetch(other, urls[1]), Is.Null, "RESETKEY voids the URLs made before");
    }

    private SystemAccount Account(string tag)
    {
        var account = SystemAccount.Create(tag, "urlx-Password-" + tag);
        _accounts.Add(account);
        string inbox = Path.Combine(account.Home, "INBOX");
        File.WriteAllText(inbox, Message);
        account.Own(inbox, 0x180);
        return account;
    }

    private (ServerProcess Server, int Port) Start(string extra)
    {
        var (server, port) = LoginProcessDaemon.Start(_dir, extra);
        _servers.Add(server);
        return (server, port);
    }

    private static TcpLineClient Login(int port, string user, string password)
    {
        var client = new TcpLineClient(port);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        Assert.That(client.Command("l", $"LOGIN {user} \"{password}\"")[^1], Does.StartWith("l OK"));
        return client;
    }

    /// <summary>GENURLAUTH of INBOX message 1 for each access identifier; the URLs with their tokens.</summary>
    private static List<string> Generate(TcpLineClient owner, string user, params string[] access)
    {
        string rumps = string.Join(" ", access.Select(a => $"\"imap://{user}@127.0.0.1/INBOX/;uid=1;urlauth={a}\" INTERNAL"));
        var lines = owner.Command("g", "GENURLAUTH " + rumps);
        Assert.That(lines[^1], Does.StartWith("g OK"), string.Join("\n", lines));
        var urls = Quoted().Matches(lines.Single(l => l.StartsWith("* GENURLAUTH ", StringComparison.Ordinal))).Select(m => m.Groups[1].Value).ToList();
        Assert.That(urls, Has.Count.EqualTo(access.Length));
        return urls;
    }

    /// <summary>The last line of the message URLFETCH gives, null for NIL.</summary>
    private static string? Fetch(TcpLineClient client, string url)
    {
        var lines = client.Command("f", $"URLFETCH \"{url}\"");
        Assert.That(lines[^1], Is.EqualTo("f OK URLFETCH Completed"), string.Join("\n", lines));
        if (lines.Contains($"* URLFETCH \"{url}\" NIL"))
        {
            return null;
        }

        Assert.That(lines[0], Does.StartWith($"* URLFETCH \"{url}\" {{"), string.Join("\n", lines));
        Assert.That(lines, Does.Contain("Subject: cross"));
        return lines[^3];
    }

    private static string WrongToken(string url) => url[..^40] + new string('0', 40);

    /// <summary>The daemon's worker process running as <paramref name="owner"/>.</summary>
    private static int WorkerOf(SystemAccount owner)
    {
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && File.Exists(Path.Combine(dir, "cmdline"))
                && SafeRead(Path.Combine(dir, "cmdline")).Split('\0') is var argv && argv.Contains("--deliver") && argv.Contains(owner.Name))
            {
                return pid;
            }
        }

        Assert.Fail("no worker for " + owner.Name);
        return 0;
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
