using Imap4d.Auth;
using Mono.Unix.Native;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class SystemUserTests
{
    private static UserInfo? Login(IAuthenticator authenticator, string user, string password) =>
        authenticator.AuthenticateAsync(user, password, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Test]
    public void FindsTheCurrentUser()
    {
        uint uid = Syscall.getuid();
        Passwd? me = Syscall.getpwuid(uid);
        Assert.That(me, Is.Not.Null);

        UserInfo? info = new SystemUserDirectory().Lookup(me!.pw_name);
        Assert.That(info, Is.EqualTo(new UserInfo(me.pw_name, me.pw_dir, uid, me.pw_gid, "system")));
    }

    [TestCase("no-such-user-imap4d")]
    [TestCase("")]
    [TestCase("root\0")]
    public void UnknownUsersAreNull(string user)
    {
        Assert.That(new SystemUserDirectory().Lookup(user), Is.Null);
        Assert.That(Login(new SystemAuthenticator(), user, "anything"), Is.Null);
    }

    [Test]
    public void NamesAreCaseSensitive()
    {
        Passwd? me = Syscall.getpwuid(Syscall.getuid());
        string upper = me!.pw_name.ToUpperInvariant();
        Assume.That(upper, Is.Not.EqualTo(me.pw_name));
        Assert.That(new SystemUserDirectory().Lookup(upper), Is.Null);
    }

    [Test]
    public void WrongPasswordForAnExistingUserIsNull()
    {
        Passwd? me = Syscall.getpwuid(Syscall.getuid());
        var warnings = new List<string>();
        Assert.That(Login(new SystemAuthenticator(warnings.Add), me!.pw_name, "certainly not the password"), Is.Null);
    }

    [Test]
    public void ExpiryFollowsPamUnix()
    {
        var now = new DateTime(2026, 5, 20, 12, 0, 0, DateTimeKind.Utc);
        long today = (long)(now.Date - DateTime.UnixEpoch).TotalDays;
        Assert.That(new ShadowEntry("u", "h", -1).IsExpired(now), Is.False);
        Assert.That(new ShadowEntry("u", "h", today + 1).IsExpired(now), Is.False);
        Assert.That(new ShadowEntry("u", "h", today).IsExpired(now), Is.True);
        Assert.That(new ShadowEntry("u", "h", 1).IsExpired(now), Is.True);
        Assert.That(new ShadowEntry("u", "h", 0).IsExpired(now), Is.True);
        Assert.That(new ShadowEntry("u", "secret-hash", 0).ToString(), Does.Not.Contain("secret-hash"));
    }

    [Test]
    public void UnknownShadowEntryIsNotFound()
    {
        ShadowLookup result = Shadow.TryGet("no-such-user-imap4d", out ShadowEntry? entry);
        Assert.That(result, Is.AnyOf(ShadowLookup.NotFound, ShadowLookup.NotPermitted));
        Assert.That(entry, Is.Null);
    }
}
