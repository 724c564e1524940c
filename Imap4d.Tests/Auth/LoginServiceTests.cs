using System.Diagnostics;
using System.Net;
using Imap4d.Auth;
using Imap4d.Auth.Lockout;
using Imap4d.Config;

namespace Imap4d.Tests.Auth;

public class LoginServiceTests
{
    private static readonly UserInfo Alice = new("alice", "/home/alice", 1000, 1000, "system");
    private static readonly UserInfo Bob = new("bob", "/home/bob", 1001, 1001, "system");
    private static readonly UserInfo Admin = new("admin", "/home/admin", 1002, 1002, "system");
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.1");

    private Accounts _directory = null!;
    private PasswordTable _passwords = null!;
    private CountingLockout _lockout = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new Accounts(Alice, Bob, Admin);
        _passwords = new PasswordTable(_directory, ("alice", "a-pass"), ("bob", "b-pass"), ("admin", "admin-pass"));
        _lockout = new CountingLockout(3);
    }

    private LoginService Service(AuthSettings? settings = null, IAuthenticator? authenticator = null, LoginNameRules? names = null, bool access = false)
    {
        settings ??= new AuthSettings();
        settings = settings with { FailureDelay = settings.FailureDelay == new AuthSettings().FailureDelay ? TimeSpan.Zero : settings.FailureDelay };
        return new LoginService(authenticator ?? _passwords, _directory, names ?? LoginNameRules.None,
            access ? new AccessRules(settings, new FakeGroupDirectory(new() { ["staff"] = 1000 }, new())) : null,
            _lockout, settings);
    }

    private static LoginOutcome Login(LoginService service, string user, string password, string? authzid = null, IPAddress? from = null) =>
        service.LoginAsync(new LoginRequest(user, password, authzid, "LOGIN", from ?? Client, (from ?? Client).ToString()), CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();

    [Test]
    public void SuccessServesTheAccountTheAuthorizationModulesFound()
    {
        var outcome = Login(Service(), "alice", "a-pass");
        Assert.That(outcome.Succeeded, Is.True);
        Assert.That(outcome.User, Is.SameAs(Alice));
        Assert.That(outcome.Administrator, Is.Null);
        Assert.That(_lockout.Resets, Is.EqualTo(new[] { "user:alice" }));
    }

    [Test]
    public void AWrongPasswordIsRefusedAndCountedForUserAndAddress()
    {
        var outcome = Login(Service(), "alice", "wrong");
        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.Unavailable, Is.False);
        Assert.That(_lockout.Failures, Is.EquivalentTo(new[] { "user:alice", "address:192.0.2.1" }));
    }

    [Test]
    public void TheUserMustBeKnownToTheAuthorizationModules()
    {
        var pam = new PamLike(("carol", "c-pass"));
        Assert.That(Login(Service(authenticator: pam), "carol", "c-pass").Succeeded, Is.False);
        Assert.That(pam.Calls, Is.Zero, "unknown users are refused before the password is checked");
    }

    [Test]
    public void PamChecksTheNameAndAuthorizationSuppliesTheAccount()
    {
        var outcome = Login(Service(authenticator: new PamLike(("bob", "pam-pass"))), "bob", "pam-pass");
        Assert.That(outcome.User, Is.SameAs(Bob));
    }

    [Test]
    public void AnAuthenticatorSpeakingOfAnotherAccountIsRefused()
    {
        var other = new PasswordTable(new Accounts(Alice with { Uid = 4242, Source = "virtual-users" }), ("alice", "v-pass"));
        Assert.That(Login(Service(authenticator: other), "alice", "v-pass").Succeeded, Is.False);
    }

    [Test]
    public void AfterMaxFailuresEvenTheRightPasswordIsRefusedWithoutBeingChecked()
    {
        var service = Service();
        for (int i = 0; i < 3; i++)
        {
            Assert.That(Login(service, "alice", "wrong" + i).Succeeded, Is.False);
        }

        int calls = _passwords.Calls;
        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.False);
        Assert.That(_passwords.Calls, Is.EqualTo(calls), "the password was not checked");
        Assert.That(Login(service, "Alice", "a-pass").Succeeded, Is.False, "the user key ignores case");
    }

    [Test]
    public void AnAddressLockedByFailuresForSeveralUsersDoesNotLockOtherAddresses()
    {
        var service = Service();
        Login(service, "alice", "x");
        Login(service, "bob", "x");
        Login(service, "nobody", "x");
        Assert.That(Login(service, "admin", "admin-pass").Succeeded, Is.False, "the address is locked");
        Assert.That(Login(service, "admin", "admin-pass", from: IPAddress.Parse("192.0.2.2")).Succeeded, Is.True);
    }

    [Test]
    public void EveryFailureWaitsTheDelayAndSuccessDoesNot()
    {
        var service = Service(new AuthSettings { FailureDelay = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();
        Assert.That(Login(service, "alice", "wrong").Succeeded, Is.False);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)));

        watch.Restart();
        Assert.That(Login(service, "nobody-at-all", "x").Succeeded, Is.False);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)), "unknown users wait as long");

        Login(service, "alice", "wrong");
        Login(service, "alice", "wrong");
        watch.Restart();
        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.False);
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(290)), "locked-out attempts wait as long");

        watch.Restart();
        Assert.That(Login(service, "bob", "b-pass", from: IPAddress.Parse("192.0.2.9")).Succeeded, Is.True);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public void AccessListsApplyAfterThePassword()
    {
        var service = Service(new AuthSettings { DenyUsers = ["bob"], AllowGroups = ["staff"] }, access: true);
        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.True);
        Assert.That(Login(service, "bob", "b-pass").Succeeded, Is.False);
        Assert.That(Login(service, "admin", "admin-pass").Succeeded, Is.False, "not in allow-groups");
    }

    [Test]
    public void AFailingModuleIsUnavailableAndNotCounted()
    {
        var broken = new Broken();
        var outcome = Login(Service(authenticator: broken), "alice", "a-pass");
        Assert.That(outcome.Unavailable, Is.True);
        Assert.That(_lockout.Failures, Is.Empty);
    }

    [Test]
    public void LoginNamesAreNormalizedBeforeEverything()
    {
        var names = new LoginNameRules(new LoginNameSettings { LowerCase = true, StripDomains = ["example.com"] });
        var outcome = Login(Service(names: names), "Alice@Example.COM", "a-pass");
        Assert.That(outcome.User, Is.SameAs(Alice));
    }

    [Test]
    public void AnAdministratorActsAsAnotherUserWithItsOwnPassword()
    {
        var service = Service(new AuthSettings { Impersonation = new ImpersonationSettings { Administrators = ["admin"] } });
        var outcome = Login(service, "admin!bob", "admin-pass");
        Assert.That(outcome.User, Is.SameAs(Bob));
        Assert.That(outcome.Administrator, Is.EqualTo("admin"));

        var plain = Login(service, "admin", "admin-pass", authzid: "alice");
        Assert.That(plain.User, Is.SameAs(Alice));
        Assert.That(plain.Administrator, Is.EqualTo("admin"));
        Assert.That(Login(service, "admin!admin", "admin-pass").User, Is.SameAs(Admin), "acting as oneself is a plain login");

        Assert.That(Login(service, "admin!bob", "b-pass").Succeeded, Is.False, "the administrator's own password is needed");
        Assert.That(Login(service, "admin!nobody", "admin-pass").Succeeded, Is.False, "the target must exist");
        Assert.That(Login(service, "admin!", "admin-pass").Succeeded, Is.False);
    }

    [Test]
    public void OnlyListedAdministratorsMayImpersonate()
    {
        var service = Service(new AuthSettings { Impersonation = new ImpersonationSettings { Administrators = ["admin"] } });
        int calls = _passwords.Calls;
        Assert.That(Login(service, "alice!bob", "a-pass").Succeeded, Is.False);
        Assert.That(Login(service, "alice", "a-pass", authzid: "bob").Succeeded, Is.False);
        Assert.That(_passwords.Calls, Is.EqualTo(calls));
        Assert.That(_lockout.Failures, Does.Contain("user:alice"));
    }

    [Test]
    public void WithoutImpersonationTheSeparatorIsPartOfTheName() =>
        Assert.That(Login(Service(), "admin!bob", "admin-pass").Succeeded, Is.False);

    /// <summary>Accounts by name.</summary>
    private sealed class Accounts(params UserInfo[] users) : IUserDirectory
    {
        public string Name => "system";

        public UserInfo? Lookup(string user) => users.FirstOrDefault(u => u.Name == user);
    }

    /// <summary>Passwords for the accounts of a directory; returns the directory's record, as "system" does.</summary>
    private sealed class PasswordTable(IUserDirectory directory, params (string User, string Password)[] passwords) : IAuthenticator
    {
        public string Name => "system";

        public int Calls { get; private set; }

        public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
        {
            Calls++;
            return ValueTask.FromResult(passwords.Contains((user, password)) ? directory.Lookup(user) : null);
        }
    }

    /// <summary>Checks names and passwords only, as PAM does.</summary>
    private sealed class PamLike(params (string User, string Password)[] passwords) : IAuthenticator
    {
        public string Name => PamAuthenticator.ModuleName;

        public int Calls { get; private set; }

        public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct)
        {
            Calls++;
            return ValueTask.FromResult(passwords.Contains((user, password)) ? new UserInfo(user, "", Source: PamAuthenticator.ModuleName) : null);
        }
    }

    private sealed class Broken : IAuthenticator
    {
        public string Name => "broken";

        public ValueTask<UserInfo?> AuthenticateAsync(string user, string password, CancellationToken ct) =>
            throw new InvalidOperationException("module exploded");
    }

    /// <summary>In-memory counters: locked at <paramref name="max"/> failures.</summary>
    private sealed class CountingLockout(int max) : ILockoutStore
    {
        public List<string> Failures { get; } = [];

        public List<string> Resets { get; } = [];

        public bool IsLocked(string key) => Failures.Count(k => k == key) >= max;

        public bool RecordFailure(string key)
        {
            Failures.Add(key);
            return Failures.Count(k => k == key) == max;
        }

        public void Reset(string key)
        {
            Resets.Add(key);
            Failures.RemoveAll(k => k == key);
        }
    }
}
