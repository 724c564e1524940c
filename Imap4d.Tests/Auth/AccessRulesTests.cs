using Imap4d.Auth;
using Imap4d.Config;

namespace Imap4d.Tests.Auth;

public class AccessRulesTests
{
    private static readonly FakeGroupDirectory Groups = new(
        new() { ["staff"] = 50, ["users"] = 100, ["banned"] = 666, ["wheel"] = 10 },
        new() { ["alice"] = [50], ["mallory"] = [666] });

    private static readonly UserInfo Alice = new("alice", "/home/alice", 1000, 100, "system");
    private static readonly UserInfo Bob = new("bob", "/home/bob", 1001, 100, "system");
    private static readonly UserInfo Mallory = new("mallory", "/home/mallory", 1002, 100, "system");
    private static readonly UserInfo Virtual = new("vu", "/srv/vu", null, null, "virtual-users");

    private static string? Check(AuthSettings settings, UserInfo user) => new AccessRules(settings, Groups).Check(user);

    [Test]
    public void NoListsAllowEveryone()
    {
        var rules = new AccessRules(new AuthSettings(), Groups);
        Assert.That(rules.IsEmpty, Is.True);
        Assert.That(rules.Check(Alice), Is.Null);
    }

    [Test]
    public void UserLists()
    {
        var settings = new AuthSettings { AllowUsers = ["alice", "mallory"], DenyUsers = ["mallory"] };
        Assert.That(Check(settings, Alice), Is.Null);
        Assert.That(Check(settings, Bob), Is.EqualTo("bob is not in allow-users"));
        Assert.That(Check(settings, Mallory), Is.EqualTo("mallory is in deny-users"), "deny-users is checked first");
        Assert.That(Check(settings, Alice with { Name = "Alice" }), Is.Not.Null, "names compare exactly");
    }

    [Test]
    public void GroupListsSeePrimaryAndSupplementaryGroups()
    {
        Assert.That(Check(new AuthSettings { AllowGroups = ["staff"] }, Alice), Is.Null, "supplementary group");
        Assert.That(Check(new AuthSettings { AllowGroups = ["staff"] }, Bob), Is.EqualTo("bob is not in allow-groups"));
        Assert.That(Check(new AuthSettings { AllowGroups = ["users"] }, Bob), Is.Null, "primary group");
        Assert.That(Check(new AuthSettings { DenyGroups = ["banned"] }, Mallory), Is.EqualTo("mallory is in deny-groups"));
        Assert.That(Check(new AuthSettings { DenyGroups = ["users"], AllowGroups = ["users"] }, Bob), Is.EqualTo("bob is in deny-groups"));
        Assert.That(Check(new AuthSettings { AllowGroups = ["no-such-group"] }, Alice), Is.Not.Null, "an unknown group matches nobody");
        Assert.That(Check(new AuthSettings { DenyGroups = ["no-such-group"] }, Alice), Is.Null);
        Assert.That(Check(new AuthSettings { AllowGroups = ["users"] }, Virtual), Is.Not.Null, "an account without a gid is in no group");
    }
}
