using Imap4d.Auth;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The switch to the user after login, in the built imap4d run as root in inetd mode:
/// create-home-dir with home-dir-mode, retain-groups, and the accounts that are refused.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class PrivilegeTests
{
    private readonly List<SystemAccount> _accounts = [];
    private readonly List<string> _groups = [];
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        _dir = Directory.CreateTempSubdirectory("i4a-priv-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _accounts.ForEach(a => a.Dispose());
        _accounts.Clear();
        _groups.ForEach(SystemAccount.DeleteGroup);
        _groups.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    private string Config(string extra)
    {
        string path = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(path, $$"""
            logging { syslog no; }
            mailbox { mailbox-pattern "$home/INBOX"; }
            login-failure-delay 0;
            lockout { directory "{{_dir}}/lockout"; failure-interval 0; }
            {{extra}}
            """);
        return path;
    }

    private static (LineClient Client, ServerProcess Server) Start(string config)
    {
        var server = ServerProcess.Start("-i", "--config-file=" + config);
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        return (client, server);
    }

    private static string[] Field(int pid, string name) =>
        File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1..];

    [Test]
    public void CreateHomeDirMakesTheHomeWithItsModeAndGivesItToTheUser()
    {
        var user = SystemAccount.Create("h", "home-Password-5");
        _accounts.Add(user);
        Directory.Delete(user.Home, recursive: true);
        var (client, server) = Start(Config("create-home-dir yes;\nhome-dir-mode 0750;"));
        using (server)
        {
            Assert.That(client.Tagged("a", $"LOGIN {user.Name} {user.Password}"), Does.StartWith("a OK"));
            Assert.That(Syscall.stat(user.Home, out var st), Is.Zero);
            Assert.That(((int)st.st_mode & 0xfff, st.st_uid, st.st_gid), Is.EqualTo((0x1e8, user.Uid, user.Gid)));
            Assert.That(File.ReadAllText($"/proc/{server.Process.Id}/status"), Does.Contain($"Uid:\t{user.Uid}\t"));
            Assert.That(new DirectoryInfo($"/proc/{server.Process.Id}/cwd").LinkTarget, Is.EqualTo(user.Home), "the session works in the home directory");
            Assert.That(client.Command("b", "SELECT INBOX")[^1], Does.StartWith("b OK"), "INBOX is created by the user in the new home");
            Assert.That(Syscall.stat(Path.Combine(user.Home, "INBOX"), out var inbox), Is.Zero);
            Assert.That(inbox.st_uid, Is.EqualTo(user.Uid));
        }
    }

    [Test]
    public void WithoutCreateHomeDirAMissingHomeIsNotCreated()
    {
        var user = SystemAccount.Create("n", "home-Password-6");
        _accounts.Add(user);
        Directory.Delete(user.Home, recursive: true);
        var (client, server) = Start(Config(""));
        using (server)
        {
            Assert.That(client.Tagged("a", $"LOGIN {user.Name} {user.Password}"), Does.StartWith("a OK"));
            Assert.That(Directory.Exists(user.Home), Is.False);
        }
    }

    [Test]
    public void RetainGroupsKeepsOnlyTheListedSupplementaryGroups()
    {
        string kept = SystemAccount.CreateGroup("k");
        _groups.Add(kept);
        string dropped = SystemAccount.CreateGroup("d");
        _groups.Add(dropped);
        var user = SystemAccount.Create("r", "groups-Password-7", kept, dropped);
        _accounts.Add(user);
        uint keptGid = Syscall.getgrnam(kept)!.gr_gid;
        uint droppedGid = Syscall.getgrnam(dropped)!.gr_gid;
        uint? mail = Syscall.getgrnam("mail")?.gr_gid;

        var (client, server) = Start(Config($"retain-groups {kept};"));
        using (server)
        {
            Assert.That(client.Tagged("a", $"LOGIN {user.Name} {user.Password}"), Does.StartWith("a OK"));
            var groups = Field(server.Process.Id, "Groups").Select(uint.Parse).ToHashSet();
            var expected = new HashSet<uint> { user.Gid, keptGid };
            if (mail is uint m)
            {
                expected.Add(m);
            }

            Assert.That(groups, Is.EquivalentTo(expected));
            Assert.That(groups, Does.Not.Contain(droppedGid));
        }

        (client, server) = Start(Config(""));
        using (server)
        {
            Assert.That(client.Tagged("a", $"LOGIN {user.Name} {user.Password}"), Does.StartWith("a OK"));
            Assert.That(Field(server.Process.Id, "Groups").Select(uint.Parse), Does.Contain(droppedGid).And.Contain(keptGid),
                "without retain-groups every group of the user is kept");
        }
    }

    [Test]
    public void APreauthUserNamedByAProgramIsSwitchedToAndChecked()
    {
        var user = SystemAccount.Create("i", "preauth-Password-9");
        _accounts.Add(user);
        Directory.CreateDirectory(Path.Combine(user.Home, "mail"));
        user.Own(Path.Combine(user.Home, "mail"), 0x1c0);
        string preauth = $"preauth \"prog:///bin/sh -c 'echo {user.Name}'\";\n"
            + "namespace personal { prefix \"\" { directory \"$home/mail\"; delimiter \"/\"; mailbox-type mbox; } }\n";

        using (var inetd = new MiniInetd("127.0.0.1", "-i", "--config-file=" + Config(preauth)))
        using (var client = inetd.Connect())
        {
            Assert.That(client.ReadLine(), Is.EqualTo("* PREAUTH IMAP4rev1"));
            Assert.That(client.Command("c", "CREATE Made")[^1], Does.StartWith("c OK"));
            Assert.That(Syscall.stat(Path.Combine(user.Home, "mail", "Made"), out var st), Is.Zero);
            Assert.That(st.st_uid, Is.EqualTo(user.Uid), "the session created the mailbox as the user");
            client.Command("z", "LOGOUT");
        }

        using (var inetd = new MiniInetd("127.0.0.1", "-i", "--config-file=" + Config(preauth + $"deny-users {user.Name};\n")))
        using (var client = inetd.Connect())
        {
            Assert.That(client.ReadLine(), Is.EqualTo("* OK IMAP4rev1"), "a denied preauth user starts unauthenticated");
            Assert.That(inetd.WaitForLog("refused: access denied"), Does.Contain($"preauthentication of {user.Name}"));
        }
    }

    [Test]
    public void AVirtualUserWithoutUidIsNotServedAsRoot()
    {
        string users = Path.Combine(_dir, "users");
        File.WriteAllText(users, $"vu:{Crypt.Hash("virtual-Password-8", "$6$i4apriv$")}::::{_dir}/vu:\n");
        var (client, server) = Start(Config($"virtual-users {{ file \"{users}\"; }}"));
        using (server)
        {
            Assert.That(client.Tagged("a", "LOGIN vu virtual-Password-8"), Is.EqualTo("a NO Cannot switch to the user"));
            Assert.That(Field(server.Process.Id, "Uid"), Is.EqualTo(new[] { "0", "0", "0", "0" }));
            Assert.That(client.Tagged("b", "NOOP"), Is.EqualTo("b OK NOOP Completed"), "the session stays unauthenticated");
        }
    }
}
