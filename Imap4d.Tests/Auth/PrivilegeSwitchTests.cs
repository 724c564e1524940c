using Imap4d.Auth;
using Imap4d.Config;
using NLog;

namespace Imap4d.Tests.Auth;

/// <summary>
/// The group list the switch installs, and its refusals; the switch itself changes the test
/// process's identity for good, so the end-to-end isolation tests exercise it in imap4d.
/// </summary>
public class PrivilegeSwitchTests
{
    private static readonly FakeGroupDirectory Groups = new(
        new() { ["mail"] = 8, ["users"] = 100, ["audio"] = 29, ["cdrom"] = 24 },
        new() { ["joe"] = [29, 24, 100] });

    private static readonly UserInfo Joe = new("joe", "/home/joe", 1000, 1000, "system");

    private static PrivilegeSwitch Switch(PrivilegeSettings settings) =>
        new(settings, Groups, LogManager.CreateNullLogger(), reason => Assert.Fail("abort: " + reason));

    [Test]
    public void MailTheUsersGroupAndAllItsSupplementaryGroupsByDefault() =>
        Assert.That(Switch(new PrivilegeSettings()).SupplementaryGroups(Joe, 1000, 8), Is.EqualTo(new uint[] { 8, 1000, 29, 24, 100 }));

    [Test]
    public void RetainGroupsKeepsOnlyTheListedSupplementaryGroups() =>
        Assert.That(Switch(new PrivilegeSettings { RetainGroups = ["audio", "users", "no-such-group", "mail"] }).SupplementaryGroups(Joe, 1000, 8),
            Is.EqualTo(new uint[] { 8, 1000, 29, 100 }));

    [Test]
    public void WithoutAMailGroupTheUsersGroupComesFirst() =>
        Assert.That(Switch(new PrivilegeSettings { RetainGroups = [] }).SupplementaryGroups(Joe, 1000, null), Is.EqualTo(new uint[] { 1000 }));

    [Test]
    public void AccountsWithoutUidOrWithUidZeroAreRefusedWithoutChangingAnything()
    {
        var privileges = Switch(new PrivilegeSettings());
        Assert.That(privileges.Switch(new UserInfo("virtual", "/srv/mail/virtual", Source: "virtual-users")), Is.EqualTo("Cannot switch to the user"));
        Assert.That(privileges.Switch(new UserInfo("toor", "/root", 0, 0, "system")), Is.EqualTo("Cannot switch to the user"));
    }
}
