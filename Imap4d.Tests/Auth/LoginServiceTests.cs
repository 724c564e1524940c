using System.Diagnostics;
using System.Net;
using Imap4d.Auth;
using Imap4d.Auth.Lockout;
using Imap4d.Config;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Auth;

public class LoginServiceTests
{
    private static readonly UserInfo Alice = new("alice", "/home/alice", 1000, 1000, "system");
    private static readonly UserInfo Bob = new("bob", "/home/bob", 1001, 1001, "system");
    private static readonly UserInfo Admin = new("admin", "/home/admin", 1002, 1002, "system");
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.1");

    private Accounts _directory = null!;
    private PasswordTable _passwords = null!;
    private MemoryLockoutStore _lockout = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new Accounts(Alice, Bob, Admin);
        _passwords = new PasswordTable(_directory, ("alice", "a-pass"), ("bob", "b-pass"), ("admin", "admin-pass"));
        _lockout = new MemoryLockoutStore();
    }

    private LoginService Service(AuthSettings? settings = null, IAuthenticator? authenticator = null, LoginNameRules? names = null, bool access = false,
        TimeProvider? clock = null)
    {
        settings ??= new AuthSettings();
        settings = settings with { FailureDelay = settings.FailureDelay == new AuthSettings().FailureDelay ? TimeSpan.Zero : settings.FailureDelay };
        if (settings.Lockout == new LockoutSettings())
        {
            settings = settings with { Lockout = new LockoutSettings { MaxFailures = 3, MaxUsers = 3, FailureInterval = TimeSpan.Zero } };
        }

        return new LoginService(authenticator ?? _passwords, _directory, names ?? LoginNameRules.None,
            access ? new AccessRules(settings, new FakeGroupDirectory(new() { ["staff"] = 1000 }, new())) : null,
            _lockout, settings, clock);
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
        Assert.That(_lockout.Removed, Is.EqualTo(new[] { "address:192.0.2.1 user:alice" }), "success forgets the pair's failures");
    }

    [Test]
    public void AWrongPasswordIsRefusedAndCountedForUserAddressAndPair()
    {
        var outcome = Login(Service(), "alice", "wrong");
        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.Unavailable, Is.False);
        Assert.That(outcome.Blocked, Is.False);
        Assert.That(_lockout.Failed, Is.EquivalentTo(new[] { "user:alice", "address:192.0.2.1", "address:192.0.2.1 user:alice" }));
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
    public void AfterMaxFailuresThePairIsBlockedWithoutCheckingThePasswordAndOnlyThePair()
    {
        var service = Service();
        for (int i = 0; i < 3; i++)
        {
            Assert.That(Login(service, "alice", "wrong" + i).Blocked, Is.False);
        }

        int calls = _passwords.Calls;
        var refused = Login(service, "alice", "a-pass");
        Assert.That(refused.Succeeded, Is.False);
        Assert.That(refused.Blocked, Is.True, "answered as refused for too many failures");
        Assert.That(_passwords.Calls, Is.EqualTo(calls), "the password was not checked");
        Assert.That(Login(service, "alice", "wrong").Blocked, Is.True, "a wrong password gets the same answer");
        Assert.That(Login(service, "Alice", "a-pass").Blocked, Is.True, "the user key ignores case");
        Assert.That(Login(service, "alice", "a-pass", from: IPAddress.Parse("192.0.2.2")).Succeeded, Is.True,
            "the user is not locked out everywhere");
        Assert.That(Login(service, "bob", "b-pass").Succeeded, Is.True, "nor the address for other users");
    }

    [Test]
    public void FailuresForOneUserFromManyAddressesNeverBlockIt()
    {
        var service = Service();
        for (int i = 0; i < 20; i++)
        {
            Assert.That(Login(service, "alice", "guess", from: IPAddress.Parse("198.51.100." + (i + 1))).Blocked, Is.False);
        }

        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.True);
    }

    [Test]
    public void AnAddressFailingForManyDifferentUsersIsBlockedAndOtherAddressesAreNot()
    {
        var service = Service();
        Login(service, "alice", "x");
        Login(service, "alice", "y");
        Login(service, "bob", "x");
        Assert.That(Login(service, "admin", "admin-pass").Succeeded, Is.True, "two users are not many");
        Login(service, "nobody", "x");
        var refused = Login(service, "admin", "admin-pass");
        Assert.That(refused.Blocked, Is.True, "the third different user blocks the address");
        Assert.That(Login(service, "admin", "admin-pass", from: IPAddress.Parse("192.0.2.2")).Succeeded, Is.True);
    }

    [Test]
    public void TheDefaultsNeverBlockAUserWhoMistypesAFewTimes()
    {
        var service = Service(new AuthSettings { Lockout = new LockoutSettings { FailureInterval = TimeSpan.Zero } });
        for (int i = 0; i < 5; i++)
        {
            Assert.That(Login(service, "alice", "typo" + i).Blocked, Is.False);
        }

        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.True);
    }

    [Test]
    public void TheFailureDelayDoublesWithRecentFailuresUpToMaxDelay()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var service = Service(new AuthSettings
        {
            FailureDelay = TimeSpan.FromMilliseconds(100),
            Lockout = new LockoutSettings { MaxDelay = TimeSpan.FromMilliseconds(350), FailureInterval = TimeSpan.Zero },
        }, clock: clock);
        var elapsed = new List<TimeSpan>();
        for (int i = 0; i < 4; i++)
        {
            var before = clock.GetUtcNow();
            Login(service, "alice", "wrong");
            elapsed.Add(clock.GetUtcNow() - before);
        }

        Assert.That(elapsed, Is.EqualTo(new[] { 100, 200, 350, 350 }.Select(ms => TimeSpan.FromMilliseconds(ms))),
            "doubled, then capped at max-delay");
        var beforeSuccess = clock.GetUtcNow();
        Assert.That(Login(service, "alice", "a-pass").Succeeded, Is.True);
        Assert.That(clock.GetUtcNow() - beforeSuccess, Is.EqualTo(TimeSpan.Zero), "the right password is not delayed");
    }

    [Test]
    public void ParallelFailuresFromOneAddressAreAnsweredOnePerInterval()
    {
        var service = Service(new AuthSettings
        {
            FailureDelay = TimeSpan.FromMilliseconds(1),
            Lockout = new LockoutSettings { FailureInterval = TimeSpan.FromMilliseconds(250) },
        });
        var watch = Stopwatch.StartNew();
        var answered = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
        Parallel.For(0, 6, i =>
        {
            Login(service, "u" + i, "guess");
            answered.Add(watch.Elapsed);
        });
        // Only lower bounds on the wall clock (a loaded machine makes answers later, never earlier): six
        // answers one interval apart take at least five intervals.
        Assert.That(answered.Max(), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(5 * 250 - 10)));

        var other = Stopwatch.StartNew();
        Login(service, "alice", "guess", from: IPAddress.Parse("192.0.2.2"));
        Assert.That(other.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(1000)), "another address is not paced with it (it would wait 1.5 s)");
    }

    [Test]
    public void EveryFailureWaitsTheDelayAndSuccessDoesNot()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var service = Service(new AuthSettings
        {
            FailureDelay = TimeSpan.FromMilliseconds(300),
            Lockout = new LockoutSettings { MaxFailures = 3, MaxUsers = 3, FailureInterval = TimeSpan.Zero, MaxDelay = TimeSpan.FromMilliseconds(300) },
        }, clock: clock);
        TimeSpan Waited(Func<LoginOutcome> attempt, Func<LoginOutcome, bool> expected)
        {
            var before = clock.GetUtcNow();
            Assert.That(expected(attempt()), Is.True);
            return clock.GetUtcNow() - before;
        }

        var delay = TimeSpan.FromMilliseconds(300);
        Assert.That(Waited(() => Login(service, "alice", "wrong"), o => !o.Succeeded), Is.EqualTo(delay));
        Assert.That(Waited(() => Login(service, "nobody-at-all", "x"), o => !o.Succeeded), Is.EqualTo(delay), "unknown users wait as long");
        Login(service, "alice", "wrong");
        Login(service, "alice", "wrong");
        Assert.That(Waited(() => Login(service, "alice", "a-pass"), o => o.Blocked), Is.EqualTo(delay), "blocked attempts wait as long");
        Assert.That(Waited(() => Login(service, "bob", "b-pass", from: IPAddress.Parse("192.0.2.9")), o => o.Succeeded), Is.EqualTo(TimeSpan.Zero));
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
        Assert.That(_lockout.Failed, Is.Empty);
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
        Assert.That(_lockout.Failed, Does.Contain("user:alice"));
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

    /// <summary>Records in memory, shared by the threads of one test.</summary>
    private sealed class MemoryLockoutStore : ILockoutStore
    {
        private readonly Dictionary<string, LockoutRecord> _records = [];

        /// <summary>Keys that counted a failure.</summary>
        public List<string> Failed { get; } = [];

        public List<string> Removed { get; } = [];

        public LockoutRecord? Read(string key)
        {
            lock (_records)
            {
                return _records.GetValueOrDefault(key);
            }
        }

        public T Update<T>(string key, Func<LockoutRecord, T> change)
        {
            lock (_records)
            {
                if (!_records.TryGetValue(key, out var record))
                {
                    _records[key] = record = new LockoutRecord();
                }

                int before = record.Failures.Count;
                T result = change(record);
                if (record.Failures.Count != before && !Failed.Contains(key))
                {
                    Failed.Add(key);
                }

                return result;
            }
        }

        public void Remove(string key)
        {
            lock (_records)
            {
                Removed.Add(key);
                _records.Remove(key);
            }
        }
    }
}
