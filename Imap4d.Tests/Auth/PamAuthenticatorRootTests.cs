using System.Diagnostics;
using Imap4d.Auth;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Auth;

/// <summary>
/// PAM through a test service file using pam_unix (auth and account) and a throw-away system
/// user; both are removed in teardown. Needs root (pam_unix reads shadow) and libpam-modules.
/// </summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public class PamAuthenticatorRootTests
{
    private SystemAccount _user = null!;
    private PamServiceFile _service = null!;
    private List<string> _messages = null!;

    [SetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        PamServiceFile.RequireModules("pam_unix.so", "pam_echo.so", "pam_exec.so");
        _user = SystemAccount.Create("p", "pam-Password-7");
        _messages = [];
    }

    [TearDown]
    public void TearDown()
    {
        _service?.Dispose();
        _user?.Dispose();
    }

    private PamAuthenticator Authenticator(string stack, TimeSpan? timeout = null)
    {
        _service = PamServiceFile.Create(stack);
        return new PamAuthenticator(_service.Name, timeout ?? TimeSpan.FromSeconds(20), message => { lock (_messages) { _messages.Add(message); } });
    }

    private static UserInfo? Login(PamAuthenticator pam, string user, string password) =>
        pam.AuthenticateAsync(user, password, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Test]
    public void PamUnixAcceptsTheRightPasswordOnly()
    {
        var pam = Authenticator("auth required pam_unix.so nodelay\naccount required pam_unix.so\n");
        Assert.That(Login(pam, _user.Name, _user.Password), Is.EqualTo(new UserInfo(_user.Name, "", Source: "pam")));
        Assert.That(Login(pam, _user.Name, "wrong"), Is.Null);
        Assert.That(Login(pam, _user.Name, ""), Is.Null);
        Assert.That(Login(pam, "i4a-no-such-user", _user.Password), Is.Null);
    }

    [Test]
    public void InformationalMessagesFromTheModulesAreLogged()
    {
        var pam = Authenticator("auth optional pam_echo.so hello %u\nauth required pam_unix.so nodelay\naccount required pam_unix.so\n");
        Assert.That(Login(pam, _user.Name, _user.Password), Is.Not.Null);
        Assert.That(_messages, Has.Some.Contains($"hello {_user.Name}"));
        Assert.That(_messages, Has.None.Contains(_user.Password));
    }

    [Test]
    public void AnAccountStackThatRefusesRefuses()
    {
        var pam = Authenticator("auth required pam_unix.so nodelay\naccount required pam_deny.so\n");
        Assert.That(Login(pam, _user.Name, _user.Password), Is.Null);
    }

    [Test]
    public void AHangingModuleIsGivenUpAfterTheTimeout()
    {
        var pam = Authenticator("auth required pam_exec.so /bin/sleep 5\naccount required pam_unix.so\n", TimeSpan.FromMilliseconds(500));
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAsync<TimeoutException>(async () => await pam.AuthenticateAsync(_user.Name, _user.Password, CancellationToken.None));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }
}
