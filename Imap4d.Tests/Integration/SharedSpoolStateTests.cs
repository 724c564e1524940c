using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Two real system users on a spool laid out exactly as Debian's /var/mail (root:mail, mode
/// 2775, not sticky; each INBOX user:mail 0600), served by the built imap4d in inetd mode as
/// root, so that each session becomes its user with group mail. Both log in one after the
/// other with a umask of 000: both must get their index and FETCH cache saved, in their own
/// home (0700 directories, 0600 files, owned by them), and nothing may be left in the spool
/// but the two mailboxes (dot-locks come and go while a session holds the mailbox).
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class SharedSpoolStateTests
{
    private SystemAccount _a = null!;
    private SystemAccount _b = null!;
    private string _dir = null!;
    private string _spool = null!;
    private string _config = null!;
    private uint _mailGid;

    [OneTimeSetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        RequireSearchableByEveryone(RepoPaths.Executable);
        _mailGid = DebianSpool.RequireMailGroup();
        _a = SystemAccount.Create("sa", "alpha-Spool-1");
        _b = SystemAccount.Create("sb", "beta-Spool-2");
        _dir = Directory.CreateTempSubdirectory("i4a-spool-").FullName;
        var spool = DebianSpool.Create(_dir, "mail");
        _spool = spool.Path;
        foreach (var (user, who) in new[] { (_a, "A"), (_b, "B") })
        {
            spool.AddInbox(user,
                $"From x@example.org Mon Jan  1 00:00:00 2024\nFrom: Sender <x@example.org>\nSubject: private mail of {who}\n\nsecret of {who}\n\n" +
                $"From x@example.org Mon Jan  1 00:00:01 2024\nSubject: more mail of {who}\n\nsecond secret of {who}\n\n",
                mode: 0x180); // 0600
        }

        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog no; severity debug; }
            mailbox { mail-spool "{{_spool}}"; }
            namespace personal { prefix "" { directory "$home/mail"; delimiter "/"; mailbox-type mbox; } }
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
    public void EachUsersIndexAndCacheStayPrivateInTheirHome()
    {
        string stderr = Session(_a, "A") + Session(_b, "B") + Session(_a, "A");

        Assert.That(Directory.EnumerateFileSystemEntries(_spool).Select(Path.GetFileName).Order().ToList(),
            Is.EqualTo(new[] { _a.Name, _b.Name }.Order().ToList()), "nothing but the mailboxes is left in the shared spool");
        Assert.That(stderr, Does.Not.Contain("cannot save").And.Not.Contain("cannot write"), stderr);
        foreach (var user in new[] { _a, _b })
        {
            Assert.That(Syscall.stat(Path.Combine(_spool, user.Name), out var inbox), Is.Zero);
            Assert.That((inbox.st_uid, inbox.st_gid, Convert.ToString((int)inbox.st_mode & 0xfff, 8)), Is.EqualTo((user.Uid, _mailGid, "600")),
                "a rewritten INBOX keeps its owner, group and mode");
            string state = Path.Combine(user.Home, ".imap4d");
            AssertPrivate(state, user, directory: true);
            AssertPrivate(Path.Combine(state, "index"), user, directory: true);
            var files = Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories).ToList();
            Assert.That(files.Select(Path.GetFileName), Has.Some.Matches<string>(f => f!.StartsWith(user.Name + "-", StringComparison.Ordinal) && f.EndsWith(".index", StringComparison.Ordinal)), "the index is saved");
            Assert.That(files.Select(Path.GetFileName), Has.Some.Matches<string>(f => f!.EndsWith(".cache", StringComparison.Ordinal)), "the FETCH cache is saved");
            foreach (string file in files)
            {
                AssertPrivate(file, user, directory: false);
            }
        }
    }

    /// <summary>Logs in, reads INBOX with items that fill the index and the FETCH cache, logs out; returns stderr.</summary>
    private string Session(SystemAccount user, string who)
    {
        int old = (int)Syscall.umask(0); // the session must not depend on a careful umask
        ServerProcess server;
        try
        {
            server = ServerProcess.Start("-i", "--config-file=" + _config);
        }
        finally
        {
            Syscall.umask((FilePermissions)old);
        }

        using (server)
        {
            var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
            Assert.That(client.ReadLine(), Does.StartWith("* OK"));
            Assert.That(client.Tagged("l", $"LOGIN {user.Name} {user.Password}"), Does.StartWith("l OK"));
            var status = File.ReadAllLines($"/proc/{server.Process.Id}/status").First(l => l.StartsWith("Gid:", StringComparison.Ordinal));
            Assert.That(status.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], Is.EqualTo(_mailGid.ToString()), "the session runs with group mail");
            var select = client.Command("s", "SELECT INBOX");
            Assert.That(select, Has.Some.EqualTo("* 2 EXISTS"));
            string fetch = string.Join("\n", client.Command("f", "FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"));
            Assert.That(fetch, Does.Contain($"private mail of {who}").And.Contain($"more mail of {who}"));
            Assert.That(client.Tagged("c", "STORE 1 +FLAGS (\\Flagged)"), Does.StartWith("c OK"));
            Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
            Assert.That(server.Process.WaitForExit(10_000), Is.True);
            return server.Stderr;
        }
    }

    /// <summary>Owned by the user and mode 0700 (directory) or 0600 (file): no other user can read or change it.</summary>
    private static void AssertPrivate(string path, SystemAccount user, bool directory)
    {
        Assert.That(Syscall.lstat(path, out var st), Is.Zero, path);
        Assert.That(st.st_uid, Is.EqualTo(user.Uid), "owner of " + path);
        Assert.That(Convert.ToString((int)st.st_mode & 0xfff, 8), Is.EqualTo(directory ? "700" : "600"), "mode of " + path);
    }

    private static void RequireSearchableByEveryone(string executable)
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
