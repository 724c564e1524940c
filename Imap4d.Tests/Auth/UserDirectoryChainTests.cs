using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class UserDirectoryChainTests
{
    [Test]
    public void FirstDirectoryThatKnowsTheUserWins()
    {
        var first = new FakeAuthenticator("virtual-users", "alice");
        var second = new FakeAuthenticator("system", "bob");
        var chain = UserDirectoryChain.FromNames(["virtual-users", "generic"], new IUserDirectory[] { second, first });

        Assert.That(chain.Directories, Is.EqualTo(new IUserDirectory[] { first, second }));
        Assert.That(chain.Lookup("alice")?.Source, Is.EqualTo("virtual-users"));
        Assert.That(chain.Lookup("bob")?.Source, Is.EqualTo("system"));
        Assert.That(chain.Lookup("carol"), Is.Null);
    }

    [Test]
    public void UnknownNamesAreAConfigurationError()
    {
        Assert.Throws<ArgumentException>(() => UserDirectoryChain.FromNames(["nis"], Array.Empty<IUserDirectory>()));
    }
}
