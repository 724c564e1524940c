using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class AuthenticatorChainTests
{
    private static UserInfo? Login(IAuthenticator authenticator, string user, string password) =>
        authenticator.AuthenticateAsync(user, password, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Test]
    public void FirstSuccessWinsInConfiguredOrder()
    {
        var virtualUsers = new FakeAuthenticator("virtual-users", "alice", "v");
        var system = new FakeAuthenticator("system", "alice", "s");
        var chain = AuthenticatorChain.FromNames(["system", "virtual-users"], [virtualUsers, system]);

        Assert.That(chain.Modules, Is.EqualTo(new IAuthenticator[] { system, virtualUsers }));
        Assert.That(Login(chain, "alice", "s")?.Source, Is.EqualTo("system"));
        Assert.That(virtualUsers.Calls, Is.Zero, "later modules are not asked after a success");
        Assert.That(Login(chain, "alice", "v")?.Source, Is.EqualTo("virtual-users"));
        Assert.That(Login(chain, "alice", "wrong"), Is.Null);
        Assert.That(Login(chain, "bob", "s"), Is.Null);
    }

    [Test]
    public void GenericMeansSystemAndNamesAreCaseInsensitiveAndDeduplicated()
    {
        var system = new FakeAuthenticator("system", "alice", "s");
        var warnings = new List<string>();
        var chain = AuthenticatorChain.FromNames(["Generic", "system", "GENERIC"], [system], warnings.Add);
        Assert.That(chain.Modules, Is.EqualTo(new IAuthenticator[] { system }));
        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void UnimplementedAndUnconfiguredModulesAreSkippedWithAWarning()
    {
        var system = new FakeAuthenticator("system", "alice", "s");
        var warnings = new List<string>();
        var chain = AuthenticatorChain.FromNames(["ldap", "virtual-users", "system"], [system], warnings.Add);

        Assert.That(chain.Modules, Is.EqualTo(new IAuthenticator[] { system }));
        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings[0], Does.Contain("ldap").And.Contain("not implemented"));
        Assert.That(warnings[1], Does.Contain("virtual-users").And.Contain("not configured"));
        Assert.That(Login(chain, "alice", "s"), Is.Not.Null);
    }

    [Test]
    public void UnknownModuleNamesAreAConfigurationError()
    {
        Assert.Throws<ArgumentException>(() => AuthenticatorChain.FromNames(["sytem"], [new FakeAuthenticator("system")]));
    }

    [Test]
    public void AnEmptyChainAuthenticatesNobody()
    {
        var warnings = new List<string>();
        var chain = AuthenticatorChain.FromNames([], [new FakeAuthenticator("system", "alice", "s")], warnings.Add);
        Assert.That(Login(chain, "alice", "s"), Is.Null);
        Assert.That(warnings, Has.Count.EqualTo(1).And.Some.Contains("nobody"));
    }

    [Test]
    public void ABrokenModuleDoesNotHideALaterSuccess()
    {
        var broken = new FakeAuthenticator("system", failure: new IOException("nss down"));
        var virtualUsers = new FakeAuthenticator("virtual-users", "alice", "v");
        var warnings = new List<string>();
        var chain = new AuthenticatorChain([broken, virtualUsers], warnings.Add);

        Assert.That(Login(chain, "alice", "v")?.Source, Is.EqualTo("virtual-users"));
        Assert.That(warnings, Has.Count.EqualTo(1).And.Some.Contains("nss down"));
        Assert.That(warnings, Has.None.Contains("\"v\""));
    }

    [Test]
    public void IfNothingSucceedsTheFirstFailureIsRethrown()
    {
        var broken = new FakeAuthenticator("system", failure: new IOException("nss down"));
        var virtualUsers = new FakeAuthenticator("virtual-users", "alice", "v");
        var chain = new AuthenticatorChain([broken, virtualUsers], _ => { });

        var thrown = Assert.ThrowsAsync<IOException>(async () => await chain.AuthenticateAsync("alice", "wrong", CancellationToken.None));
        Assert.That(thrown!.Message, Is.EqualTo("nss down"));
        Assert.That(virtualUsers.Calls, Is.EqualTo(1));
    }

    [Test]
    public void CancellationStopsTheChain()
    {
        var system = new FakeAuthenticator("system", "alice", "s");
        var chain = new AuthenticatorChain([system]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAsync<OperationCanceledException>(async () => await chain.AuthenticateAsync("alice", "s", cancelled.Token));
        Assert.That(system.Calls, Is.Zero);
    }

    [Test]
    public void RealModulesCombine()
    {
        string dir = Directory.CreateTempSubdirectory("imap4d-chain-").FullName;
        try
        {
            string path = Path.Combine(dir, "passwd");
            File.WriteAllText(path, "alice:$5$acImzfbtGXEET4Pr$E3pt2jWutmuq4Kc5vi4Nmz5Wq7QxKDG3QPYBqmZ2qR1:::x:/home/alice\n");
            var virtualUsers = new PasswdFileUserDatabase(path);
            var chain = AuthenticatorChain.FromNames(["virtual-users", "generic"], [virtualUsers, new SystemAuthenticator()]);
            Assert.That(Login(chain, "alice", "s3cret"), Is.EqualTo(new UserInfo("alice", "/home/alice", null, null, "virtual-users")));
            Assert.That(Login(chain, "alice", "wrong"), Is.Null);
            Assert.That(Login(chain, "root", "wrong"), Is.Null);

            var directory = UserDirectoryChain.FromNames(["virtual-users", "system"], [virtualUsers, new SystemUserDirectory()]);
            Assert.That(directory.Lookup("alice")?.Source, Is.EqualTo("virtual-users"));
            Assert.That(directory.Lookup("root")?.Source, Is.EqualTo("system"));
            Assert.That(directory.Lookup("no-such-user-imap4d"), Is.Null);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
