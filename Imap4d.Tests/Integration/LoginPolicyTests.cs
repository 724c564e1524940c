using Imap4d.Auth;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Access lists, login-name rules and impersonation through the built imap4d (inetd mode over
/// pipes), with virtual users (uid/gid "nobody" when run as root, so the session may switch).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class LoginPolicyTests
{
    private const string Password = "policy-Password-2";
    private string _dir = null!;
    private string _config = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("i4a-policy-").FullName;
        string hash = Crypt.Hash(Password, "$6$i4apolicy$")!;
        string adminHash = Crypt.Hash("admin-Password-3", "$6$i4apolicy$")!;
        string ids = Syscall.geteuid() == 0 ? "65534:65534" : ":";
        string users = Path.Combine(_dir, "users");
        File.WriteAllLines(users, new[]
        {
            $"alice:{hash}:{ids}::{_dir}/home/alice:",
            $"bob:{hash}:{ids}::{_dir}/home/bob:",
            $"mallory:{hash}:{ids}::{_dir}/home/mallory:",
            $"helpdesk:{adminHash}:{ids}::{_dir}/home/helpdesk:",
        });
        File.WriteAllText(Path.Combine(_dir, "map"), "alice.liddell@example.org alice\n");
        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog no; }
            virtual-users { file "{{users}}"; }
            auth { authentication virtual-users; authorization virtual-users; }
            mailbox { mailbox-pattern "$home/INBOX"; }
            login-failure-delay 0;
            lockout { directory "{{_dir}}/lockout"; failure-interval 0; }
            deny-users mallory;
            login-names { lower-case yes; strip-domain example.com; map-file "{{_dir}}/map"; }
            impersonation { administrators helpdesk; }
            """);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private (LineClient Client, ServerProcess Server) Start()
    {
        var server = ServerProcess.Start("-i", "--config-file=" + _config);
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        return (client, server);
    }

    private string LoginAnswer(string login, string password)
    {
        var (client, server) = Start();
        using (server)
        {
            return client.Tagged("a", $"LOGIN \"{login}\" \"{password}\"");
        }
    }

    [Test]
    public void DenyUsersLooksLikeAWrongPassword() =>
        Assert.That(LoginAnswer("mallory", Password), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));

    [TestCase("Bob@Example.COM")]
    [TestCase("alice.liddell@example.org")]
    [TestCase("ALICE")]
    public void LoginNamesAreNormalizedAndMapped(string login) =>
        Assert.That(LoginAnswer(login, Password), Does.StartWith("a OK"));

    [Test]
    public void OtherDomainsAreNotStripped() =>
        Assert.That(LoginAnswer("bob@example.net", Password), Does.StartWith("a NO"));

    [Test]
    public void AnAdministratorActsAsTheUserWithItsOwnPasswordAndBothNamesAreLogged()
    {
        var (client, server) = Start();
        using (server)
        {
            Assert.That(client.Tagged("a", "LOGIN helpdesk!bob admin-Password-3"), Does.StartWith("a OK"));
            Assert.That(client.Command("b", "NAMESPACE")[^1], Does.StartWith("b OK"));
            Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
            server.Process.WaitForExit(10_000);
            Assert.That(server.Stderr, Does.Contain("administrator helpdesk from stdio (LOGIN) acts as user bob"));
            Assert.That(server.Stderr, Does.Contain("user bob logged in from stdio (LOGIN, by administrator helpdesk)"));
        }

        string plain = Convert.ToBase64String("bob\0helpdesk\0admin-Password-3"u8.ToArray());
        (client, server) = Start();
        using (server)
        {
            Assert.That(client.Tagged("p", "AUTHENTICATE PLAIN " + plain), Does.StartWith("p OK"));
        }
    }

    [Test]
    public void OnlyAdministratorsMayImpersonate()
    {
        Assert.That(LoginAnswer("alice!bob", Password), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        Assert.That(LoginAnswer("helpdesk!bob", Password), Does.StartWith("a NO"), "the administrator's own password is needed");
        Assert.That(LoginAnswer("helpdesk!nobody-here", "admin-Password-3"), Does.StartWith("a NO"));
    }
}
