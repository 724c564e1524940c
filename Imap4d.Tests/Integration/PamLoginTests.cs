using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// LOGIN through `auth { authentication pam; } pam { service ...; }` with the built imap4d in
/// inetd mode as root: a test service file with pam_unix and a throw-away system user.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class PamLoginTests
{
    private SystemAccount _user = null!;
    private PamServiceFile _service = null!;
    private string _dir = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        PamServiceFile.RequireModules("pam_unix.so");
        _user = SystemAccount.Create("q", "pam-Login-8");
        _service = PamServiceFile.Create("auth required pam_unix.so nodelay\naccount required pam_unix.so\n");
        _dir = Directory.CreateTempSubdirectory("i4a-pam-").FullName;
        File.WriteAllText(Path.Combine(_dir, "imap4d.conf"), $$"""
            logging { syslog no; }
            mailbox { mailbox-pattern "$home/INBOX"; }
            auth { authentication pam; authorization system; }
            pam { service {{_service.Name}}; }
            login-failure-delay 0;
            lockout { directory "{{_dir}}/lockout"; failure-interval 0; }
            """);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _service?.Dispose();
        _user?.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public void RightPasswordLogsInAsTheUserAndAWrongOneIsRefused()
    {
        using var server = ServerProcess.Start("-i", "--config-file=" + Path.Combine(_dir, "imap4d.conf"));
        var client = new LineClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
        Assert.That(client.ReadLine(), Does.StartWith("* OK"));
        Assert.That(client.Tagged("a", $"LOGIN {_user.Name} wrong-password"), Is.EqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed"));
        Assert.That(client.Tagged("b", $"LOGIN {_user.Name} {_user.Password}"), Does.StartWith("b OK"));
        Assert.That(File.ReadAllText($"/proc/{server.Process.Id}/status"), Does.Match($@"Uid:\s+{_user.Uid}\s+{_user.Uid}\s+{_user.Uid}\s+{_user.Uid}"));
        Assert.That(client.Command("c", "SELECT INBOX")[^1], Does.StartWith("c OK"));
        Assert.That(client.Tagged("z", "LOGOUT"), Does.StartWith("z OK"));
        Assert.That(server.Process.WaitForExit(10_000), Is.True);
        Assert.That(server.Stderr, Does.Contain("authentication failed for " + _user.Name));
    }
}
