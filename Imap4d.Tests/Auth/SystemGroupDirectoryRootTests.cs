using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Auth;

/// <summary>Group membership through NSS (getgrnam, getgrouplist) with a throw-away user and group.</summary>
[TestFixture]
[Category("Root")]
[NonParallelizable]
public class SystemGroupDirectoryRootTests
{
    private string _group = null!;
    private SystemAccount _user = null!;

    [SetUp]
    public void SetUp()
    {
        SystemAccount.RequireRootTools();
        _group = SystemAccount.CreateGroup("g");
        _user = SystemAccount.Create("g", "group-Password-4", _group);
    }

    [TearDown]
    public void TearDown()
    {
        _user?.Dispose();
        if (_group is not null)
        {
            SystemAccount.DeleteGroup(_group);
        }
    }

    [Test]
    public void PrimaryAndSupplementaryGroupsCount()
    {
        var groups = new SystemGroupDirectory();
        uint gid = groups.GroupId(_group)!.Value;
        var account = new SystemUserDirectory().Lookup(_user.Name)!;
        Assert.That(groups.GroupsOf(account), Is.EquivalentTo(new[] { _user.Gid, gid }));
        Assert.That(groups.GroupsOf(account with { Source = "virtual-users" }), Is.EqualTo(new[] { _user.Gid }),
            "a virtual account of the same name does not inherit the system user's groups");

        Assert.That(new AccessRules(new AuthSettings { AllowGroups = [_group] }, groups).Check(account), Is.Null);
        Assert.That(new AccessRules(new AuthSettings { AllowGroups = [_user.Name] }, groups).Check(account), Is.Null, "the user's own group");
        Assert.That(new AccessRules(new AuthSettings { DenyGroups = [_group] }, groups).Check(account), Is.Not.Null);
        Assert.That(new AccessRules(new AuthSettings { AllowGroups = ["root"] }, groups).Check(account), Is.Not.Null);
        Assert.That(groups.GroupId("i4a-no-such-group"), Is.Null);
    }
}
