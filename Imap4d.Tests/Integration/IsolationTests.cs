using System.Security.Cryptography;
using System.Text;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Two real system users, A and B, served by the built imap4d in inetd mode as root (as inetd
/// runs it). After login the session process must be A (uid, gid mail, groups), and A must not
/// read, create or delete anything of B's through any command: through the other-users
/// namespace, through paths, through symlinks A planted pointing into B's home, B's spool
/// mailbox or /etc/shadow, nor B through symlinks B planted pointing into A's files. B's files
/// are hashed before and after; each user sees only their own mail.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class IsolationTests
{
    private SystemAccount _a = null!;
    private SystemAccount _b = null!;
    private string _dir = null!;
    private string _spool = null!;
    private string _config = null!;
    private uint? _mailGid;
    private DebianSpool _debianSpool = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        RequireReadableByEveryone(RepoPaths.Executable);
        _a = SystemAccount.Create("a", "alpha-Secret-1");
        _b = SystemAccount.Create("b", "beta-Secret-2");
        _dir = Directory.CreateTempSubdirectory("i4a-iso-").FullName;
        // Debian's /var/mail: root:mail 2775, each spool file user:mail 0660.
        _debianSpool = DebianSpool.Create(_dir);
        _spool = _debianSpool.Path;
        _mailGid = _debianSpool.MailGid;

        MakeMail(_a, "A", "AFolder", "amd");
        MakeMail(_b, "B", "BFolder", "bmd");
        Directory.CreateDirectory(Path.Combine(_b.Home, "mail", "BSub"));
        _b.Own(Path.Combine(_b.Home, "mail", "BSub"), 0x1c0);
        WriteMbox(_b, Path.Combine(_b.Home, "mail", "BSub", "BDeep"), "deep secret of B");
        // B's home and mail directory can be searched but not read by others (as many homes are):
        // names resolve, so only the session's own uid and the file modes keep A out.
        _b.Own(_b.Home, 0x1c9);                        // 0711
        _b.Own(Path.Combine(_b.Home, "mail"), 0x1c9);  // 0711

        // Symlinks A planted in its own mail directory.
        PlantLink(_a, "evil", Path.Combine(_b.Home, "mail", "BFolder"));
        PlantLink(_a, "evildir", Path.Combine(_b.Home, "mail"));
        PlantLink(_a, "spoolB", Path.Combine(_spool, _b.Name));
        PlantLink(_a, "shadow", "/etc/shadow");
        // And B in its own.
        PlantLink(_b, "toA", Path.Combine(_a.Home, "mail", "AFolder"));
        PlantLink(_b, "spoolA", Path.Combine(_spool, _a.Name));
        PlantLink(_b, "shadow", "/etc/shadow");

        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog no; severity debug; }
            mailbox { mail-spool "{{_spool}}"; }
            namespace personal { prefix "" { directory "$home/mail"; delimiter "/"; mailbox-type mbox; } }
            namespace other { prefix "~" { directory "$home/mail"; delimiter "/"; } }
            auth { authentication system; authorization system; }
            login-failure-delay 0;
            lockout { max-failures 0; }
            """);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _a?.Dispose();
        _b?.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public void UserACannotReachAnythingOfUserB()
    {
        var before = Fingerprint(_b.Home, Path.Combine(_spool, _b.Name), "/etc/shadow");
        using (var server = Start())
        {
            var client = Client(server);
            Assert.That(client.Tagged("l", $"LOGIN {_a.Name} {_a.Password}"), Does.StartWith("l OK"));
            AssertRunsAs(server.Process.Id, _a);
            AssertSeesOnlyOwnMail(client, "A", ["AFolder", "amd"], ["BFolder", "bmd", "BSub", "BDeep"]);

            string b = "~" + _b.Name;
            var refused = new (string Tag, string Command)[]
            {
                ("o1", $"SELECT {b}/BFolder"),
                ("o2", $"EXAMINE {b}/BFolder"),
                ("o3", $"STATUS {b}/BFolder (MESSAGES UIDNEXT)"),
                ("o4", $"CREATE {b}/Planted"),
                ("o5", $"DELETE {b}/BFolder"),
                ("o6", $"RENAME {b}/BFolder Stolen"),
                ("o7", $"RENAME AFolder {b}/Planted"),
                ("o8", $"SELECT {b}/bmd"),
                ("o9", $"STATUS {b}/BSub/BDeep (MESSAGES)"),
                ("o10", $"DELETE {b}/BSub"),
                ("o11", $"SELECT {b}/INBOX"),
                ("p1", $"SELECT ../{_b.Name}/mail/BFolder"),
                ("p2", $"SELECT {_b.Home}/mail/BFolder"),
                ("p3", $"SELECT \"{b}/../{_a.Name}/AFolder\""),
                ("p4", $"CREATE ../{_b.Name}/mail/Planted"),
                ("s1", "SELECT evil"),
                ("s2", "STATUS evil (MESSAGES)"),
                ("s3", "DELETE evil"),
                ("s4", "RENAME evil Stolen"),
                ("s5", "SELECT evildir/BFolder"),
                ("s6", "CREATE evildir/Planted"),
                ("s7", "RENAME AFolder evildir/Planted"),
                ("s8", "SELECT spoolB"),
                ("s9", "STATUS spoolB (MESSAGES)"),
                ("s10", "SELECT shadow"),
                ("s11", "CREATE shadow/x"),
                ("s12", "DELETE shadow"),
            };
            foreach (var (tag, command) in refused)
            {
                Assert.That(client.Tagged(tag, command), Does.StartWith(tag + " NO"), command);
            }

            foreach (var target in new[] { $"{b}/BFolder", "evil", "spoolB", "shadow", $"{b}/Planted" })
            {
                Assert.That(client.Append("ap", target, "Subject: planted\r\n\r\nby A\r\n")[^1], Does.StartWith("ap NO"), "APPEND " + target);
            }

            AssertListsNothingOfB(client, $"LIST \"\" {b}/*");
            AssertListsNothingOfB(client, "LIST \"\" evildir/*");
            AssertListsNothingOfB(client, "LIST \"\" *");

            Assert.That(client.Command("s", "SELECT INBOX"), Has.Some.EqualTo("* 2 EXISTS"));
            foreach (var (tag, command) in new[]
            {
                ("c1", $"COPY 1 {b}/BFolder"), ("c2", $"MOVE 1 {b}/BFolder"), ("c3", $"UID COPY 1:* {b}/BFolder"),
                ("c4", "COPY 1 evil"), ("c5", "MOVE 1:2 spoolB"), ("c6", "COPY 1 shadow"), ("c7", $"MOVE 1 {b}/Planted"),
            })
            {
                Assert.That(client.Tagged(tag, command), Does.StartWith(tag + " NO"), command);
            }

            Assert.That(client.Command("n", "NOOP"), Has.None.Contains("EXPUNGE"), "no failed MOVE removed a message");
            Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
            Assert.That(server.Process.WaitForExit(10_000), Is.True);
            Assert.That(server.Stderr, Does.Not.Contain("privilege switch failed"));
            TestContext.Out.WriteLine(server.Stderr);
        }

        Assert.That(Fingerprint(_b.Home, Path.Combine(_spool, _b.Name), "/etc/shadow"), Is.EqualTo(before), "B's files are unchanged");
        Assert.That(Directory.Exists(Path.Combine(_b.Home, "mail", "Planted")) || File.Exists(Path.Combine(_b.Home, "mail", "Planted")), Is.False);
    }

    [Test]
    public void AuthenticatePlainSwitchesToTheUserToo()
    {
        var before = Fingerprint(_b.Home, Path.Combine(_spool, _b.Name));
        using var server = Start();
        var client = Client(server);
        string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_a.Name}\0{_a.Password}"));
        Assert.That(client.Tagged("a", "AUTHENTICATE PLAIN " + plain), Does.StartWith("a OK"));
        AssertRunsAs(server.Process.Id, _a);
        Assert.That(client.Tagged("b", $"SELECT ~{_b.Name}/BFolder"), Does.StartWith("b NO"));
        Assert.That(client.Tagged("c", "STATUS evil (MESSAGES)"), Does.StartWith("c NO"));
        Assert.That(client.Tagged("d", "SELECT spoolB"), Does.StartWith("d NO"));
        Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
        Assert.That(server.Process.WaitForExit(10_000), Is.True);
        Assert.That(Fingerprint(_b.Home, Path.Combine(_spool, _b.Name)), Is.EqualTo(before));
    }

    [Test]
    public void UserBCannotFollowItsOwnSymlinksIntoAOrRootFiles()
    {
        var before = Fingerprint(_a.Home, Path.Combine(_spool, _a.Name), "/etc/shadow");
        using (var server = Start())
        {
            var client = Client(server);
            Assert.That(client.Tagged("l", $"LOGIN {_b.Name} {_b.Password}"), Does.StartWith("l OK"));
            AssertRunsAs(server.Process.Id, _b);
            AssertSeesOnlyOwnMail(client, "B", ["BFolder", "bmd", "BSub"], ["AFolder", "amd"]);
            foreach (var (tag, command) in new[]
            {
                ("t1", "SELECT toA"), ("t2", "STATUS toA (MESSAGES)"), ("t3", "DELETE toA"),
                ("t4", "SELECT spoolA"), ("t5", "SELECT shadow"), ("t6", "EXAMINE shadow"),
                ("t7", $"SELECT ~{_a.Name}/AFolder"), ("t8", $"DELETE ~{_a.Name}/AFolder"),
            })
            {
                Assert.That(client.Tagged(tag, command), Does.StartWith(tag + " NO"), command);
            }

            Assert.That(client.Append("ap", "shadow", "Subject: x\r\n\r\nx\r\n")[^1], Does.StartWith("ap NO"));
            Assert.That(client.Append("aq", "toA", "Subject: x\r\n\r\nx\r\n")[^1], Does.StartWith("aq NO"));
            Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
        }

        Assert.That(Fingerprint(_a.Home, Path.Combine(_spool, _a.Name), "/etc/shadow"), Is.EqualTo(before));
    }

    [Test]
    public void AWrongPasswordLeavesTheProcessAsItWas()
    {
        using var server = Start();
        var client = Client(server);
        Assert.That(client.Tagged("l", $"LOGIN {_a.Name} {_b.Password}"), Does.StartWith("l NO [AUTHENTICATIONFAILED]"));
        var status = ProcStatus(server.Process.Id);
        Assert.That(status["Uid"], Is.EqualTo("0 0 0 0"));
        Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
    }

    /// <summary>
    /// The same users through the real daemon as root: each connection is served by a child
    /// process that becomes its user (A by LOGIN, B by AUTHENTICATE PLAIN, at the same time),
    /// and each sees only their own mail.
    /// </summary>
    [Test]
    public void TheDaemonServesEachUserInAProcessOfThatUser()
    {
        int port = ServerProcess.FreePort();
        string config = Path.Combine(_dir, "daemon.conf");
        File.WriteAllText(config, File.ReadAllText(_config) + $$"""
            mode daemon;
            foreground yes;
            prestart-children 1;
            server 127.0.0.1:{{port}} { };
            """);
        using var server = ServerProcess.Start("--config-file=" + config);
        server.WaitForPort(port);
        using var tcpA = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        using var tcpB = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        var a = new LineClient(tcpA.GetStream(), tcpA.GetStream());
        var b = new LineClient(tcpB.GetStream(), tcpB.GetStream());
        Assert.That(a.ReadLine(), Does.StartWith("* OK"));
        Assert.That(b.ReadLine(), Does.StartWith("* OK"));
        Assert.That(a.Tagged("a", $"LOGIN {_a.Name} {_a.Password}"), Does.StartWith("a OK"));
        string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{_b.Name}\0{_b.Password}"));
        Assert.That(b.Tagged("b", "AUTHENTICATE PLAIN " + plain), Does.StartWith("b OK"));

        var children = ProcTable.ChildrenOf(server.Process.Id);
        var owners = children.Select(pid => ProcStatus(pid).GetValueOrDefault("Uid", "")).ToList();
        Assert.That(owners, Has.Some.StartWith($"{_a.Uid} {_a.Uid} {_a.Uid}"), "a child runs as A");
        Assert.That(owners, Has.Some.StartWith($"{_b.Uid} {_b.Uid} {_b.Uid}"), "a child runs as B");
        Assert.That(ProcStatus(server.Process.Id)["Uid"], Does.StartWith("0 "), "the daemon itself stays root");

        AssertSeesOnlyOwnMail(a, "A", ["AFolder"], ["BFolder"]);
        AssertSeesOnlyOwnMail(b, "B", ["BFolder"], ["AFolder"]);
        Assert.That(a.Tagged("x", $"SELECT ~{_b.Name}/BFolder"), Does.StartWith("x NO"));
        Assert.That(a.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
        Assert.That(b.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
    }

    private ServerProcess Start() => ServerProcess.Start("-i", "--config-file=" + _config);

    private static LineClient Client(ServerProcess server)
    {
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        return client;
    }

    /// <summary>/proc/PID/status says the session is the user: all four uids, gid mail (as GNU), and the groups.</summary>
    private void AssertRunsAs(int pid, SystemAccount user)
    {
        var status = ProcStatus(pid);
        Assert.That(status["Uid"], Is.EqualTo($"{user.Uid} {user.Uid} {user.Uid} {user.Uid}"));
        uint gid = _mailGid ?? user.Gid;
        Assert.That(status["Gid"], Is.EqualTo($"{gid} {gid} {gid} {gid}"));
        var expectedGroups = new HashSet<uint> { user.Gid };
        if (_mailGid is uint mail)
        {
            expectedGroups.Add(mail);
        }

        Assert.That(status["Groups"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToHashSet(), Is.EquivalentTo(expectedGroups));
        Assert.That(status["CapEff"], Is.EqualTo("0000000000000000"), "no capabilities left");
    }

    private static Dictionary<string, string> ProcStatus(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => string.Join(' ', parts[1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    private static void AssertSeesOnlyOwnMail(LineClient client, string who, string[] own, string[] others)
    {
        var list = client.Command("l1", "LIST \"\" *");
        Assert.That(list[^1], Does.StartWith("l1 OK"));
        foreach (string name in own)
        {
            Assert.That(list, Has.Some.Contains(name), $"{who} sees {name}");
        }

        foreach (string name in others)
        {
            Assert.That(list, Has.None.Contains(name), $"{who} does not see {name}");
        }

        var select = client.Command("l2", "SELECT INBOX");
        Assert.That(select, Has.Some.EqualTo("* 2 EXISTS"));
        var fetch = client.Command("l3", "FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        string other = who == "A" ? "B" : "A";
        Assert.That(string.Join("\n", fetch), Does.Contain($"mail of {who} #1").And.Contain($"mail of {who} #2").And.Not.Contain($"of {other}"));
        Assert.That(client.Tagged("l4", "CLOSE"), Does.StartWith("l4 OK"));
    }

    private static void AssertListsNothingOfB(LineClient client, string command)
    {
        var lines = client.Command("ls", command);
        Assert.That(lines.Where(l => l.StartsWith("* LIST", StringComparison.Ordinal)), Has.None.Contains("BFolder").And.None.Contains("bmd").And.None.Contains("BDeep"), command);
    }

    private void MakeMail(SystemAccount user, string who, string folder, string maildir)
    {
        string mail = Path.Combine(user.Home, "mail");
        Directory.CreateDirectory(mail);
        user.Own(mail, 0x1c0);
        WriteMbox(user, Path.Combine(mail, folder), $"folder secret of {who}");
        string md = Path.Combine(mail, maildir);
        foreach (string sub in new[] { "", "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(md, sub));
            user.Own(Path.Combine(md, sub), 0x1c0);
        }

        string message = Path.Combine(md, "cur", "1700000000.1.host:2,S");
        File.WriteAllText(message, $"Subject: maildir secret of {who}\n\nbody\n");
        user.Own(message, 0x180);

        _debianSpool.AddInbox(user,
            $"From x@example.org Mon Jan  1 00:00:00 2024\nSubject: mail of {who} #1\n\nsecret of {who} one\n\n" +
            $"From x@example.org Mon Jan  1 00:00:01 2024\nSubject: mail of {who} #2\n\nsecret of {who} two\n\n");
    }

    private static void WriteMbox(SystemAccount user, string path, string subject)
    {
        File.WriteAllText(path, $"From x@example.org Mon Jan  1 00:00:00 2024\nSubject: {subject}\n\n{subject}\n\n");
        user.Own(path, 0x180);
    }

    private static void PlantLink(SystemAccount user, string name, string target)
    {
        string link = Path.Combine(user.Home, "mail", name);
        File.CreateSymbolicLink(link, target);
        user.Own(link);
    }

    /// <summary>Path → SHA-256 of content (or link target, or "dir") for everything under the given paths, not following links.</summary>
    private static SortedDictionary<string, string> Fingerprint(params string[] roots)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(string path)
        {
            if (Syscall.lstat(path, out var st) != 0)
            {
                result[path] = "missing";
                return;
            }

            var type = st.st_mode & FilePermissions.S_IFMT;
            string meta = $"{Convert.ToString((int)st.st_mode & 0xfff, 8)} {st.st_uid}:{st.st_gid}";
            if (type == FilePermissions.S_IFLNK)
            {
                result[path] = "link " + new FileInfo(path).LinkTarget + " " + meta;
            }
            else if (type == FilePermissions.S_IFDIR)
            {
                result[path] = "dir " + meta;
                foreach (string child in Directory.EnumerateFileSystemEntries(path))
                {
                    Add(child);
                }
            }
            else
            {
                result[path] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + " " + meta;
            }
        }

        foreach (string root in roots)
        {
            Add(root);
        }

        return result;
    }

    /// <summary>The session runs as the user after login and may still load parts of itself: they must be readable.</summary>
    private static void RequireReadableByEveryone(string executable)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(Path.GetFullPath(executable))!); dir is not null; dir = dir.Parent)
        {
            if (Syscall.stat(dir.FullName, out var st) == 0 && (st.st_mode & FilePermissions.S_IXOTH) == 0)
            {
                Assert.Ignore($"{dir.FullName} is not searchable by other users; the switched session could not load itself");
            }
        }
    }
}
