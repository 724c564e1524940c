using System.Diagnostics;
using Imap4d.Auth;
using Mono.Unix.Native;

namespace Imap4d.Tests.Auth;

/// <summary>
/// Exercises the real shadow path with a throw-away account. Needs root and useradd; the
/// account is removed again in TearDown.
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public class SystemAuthenticatorRootTests
{
    // "correct horse", made once with libxcrypt.
    private const string YescryptCorrectHorse = "$y$j9T$VrIMSY5D2uLcvEwgrsWC9.$ui.oeRgT8irpeC49qxewRpemVOJP524AMiKXrGDIpS7";

    private string _user = "";

    [SetUp]
    public void SetUp()
    {
        if (Syscall.getuid() != 0)
        {
            Assert.Ignore("needs root");
        }
        if (!File.Exists("/usr/sbin/useradd") || !File.Exists("/usr/sbin/userdel") || !File.Exists("/usr/sbin/usermod"))
        {
            Assert.Ignore("needs useradd, usermod and userdel");
        }
        _user = "imap4dt" + Random.Shared.Next(100000, 999999);
        Run("/usr/sbin/useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", "-p", YescryptCorrectHorse, _user);
    }

    [TearDown]
    public void TearDown()
    {
        if (_user.Length > 0)
        {
            Run("/usr/sbin/userdel", _user);
            _user = "";
        }
    }

    private static UserInfo? Login(string user, string password, DateTime? now = null) =>
        new SystemAuthenticator(utcNow: now is null ? null : () => now.Value)
            .AuthenticateAsync(user, password, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Test]
    public void ReadsTheHashFromShadow()
    {
        Assert.That(Shadow.TryGet(_user, out ShadowEntry? entry), Is.EqualTo(ShadowLookup.Found));
        Assert.That(entry!.Hash, Is.EqualTo(YescryptCorrectHorse));
        Assert.That(entry.ExpireDays, Is.EqualTo(-1));

        Passwd passwd = Syscall.getpwnam(_user)!;
        Assert.That(Login(_user, "correct horse"), Is.EqualTo(new UserInfo(_user, "/nonexistent", passwd.pw_uid, passwd.pw_gid, "system")));
        Assert.That(Login(_user, "wrong horse"), Is.Null);
    }

    [Test]
    public void RefusesExpiredAccounts()
    {
        Run("/usr/sbin/usermod", "-e", "2020-01-02", _user);
        Assert.That(Shadow.TryGet(_user, out ShadowEntry? entry), Is.EqualTo(ShadowLookup.Found));
        Assert.That(entry!.ExpireDays, Is.EqualTo(18263));

        Assert.That(Login(_user, "correct horse"), Is.Null);
        Assert.That(Login(_user, "correct horse", new DateTime(2020, 1, 1, 23, 59, 0, DateTimeKind.Utc)), Is.Not.Null);
    }

    [Test]
    public void RefusesLockedAccounts()
    {
        Run("/usr/sbin/usermod", "-L", _user);
        Assert.That(Login(_user, "correct horse"), Is.Null);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{program}: {errors}");
    }
}
