using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Tests.Config;

namespace Imap4d.Tests.Auth;

public class LoginNameRulesTests
{
    [TestCase("joe@example.com", "joe")]
    [TestCase("joe@EXAMPLE.org", "joe")]
    [TestCase("joe@example.net", "joe@example.net")]
    [TestCase("Joe@example.com", "Joe")]
    [TestCase("joe", "joe")]
    [TestCase("@example.com", "@example.com")]
    [TestCase("joe@", "joe@")]
    [TestCase("a@b@example.com", "a@b")]
    public void StripsConfiguredDomains(string login, string account) =>
        Assert.That(new LoginNameRules(new LoginNameSettings { StripDomains = ["example.com", "@example.org"] }).Normalize(login), Is.EqualTo(account));

    [Test]
    public void StarStripsAnyDomain() =>
        Assert.That(new LoginNameRules(new LoginNameSettings { StripDomains = ["*"] }).Normalize("joe@anything.test"), Is.EqualTo("joe"));

    [Test]
    public void NothingChangesByDefault() =>
        Assert.That(LoginNameRules.None.Normalize("Joe@Example.com"), Is.EqualTo("Joe@Example.com"));

    [Test]
    public void LowerCasesFirst() =>
        Assert.That(new LoginNameRules(new LoginNameSettings { LowerCase = true, StripDomains = ["example.com"] }).Normalize("JOE@Example.COM"), Is.EqualTo("joe"));

    [Test]
    public void MapFileIsConsultedWithTheFullNameThenTheStrippedOne()
    {
        using var temp = new TempDirectory();
        string file = temp.Write("map", """
            # login-name account
            john.smith@example.com   jsmith
            jane                     jdoe
            bad line with three
            jane                     someone-else
            """);
        var warnings = new List<string>();
        var rules = new LoginNameRules(
            new LoginNameSettings { StripDomains = ["example.com"], LowerCase = true, MapFile = file },
            new LoginNameMap(file, warnings.Add));

        Assert.That(rules.Normalize("John.Smith@example.com"), Is.EqualTo("jsmith"));
        Assert.That(rules.Normalize("jane@example.com"), Is.EqualTo("jdoe"));
        Assert.That(rules.Normalize("jane"), Is.EqualTo("jdoe"));
        Assert.That(rules.Normalize("other@example.com"), Is.EqualTo("other"));
        Assert.That(warnings, Has.Count.EqualTo(2));

        File.WriteAllText(file, "jane janet\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddSeconds(5));
        Assert.That(rules.Normalize("jane"), Is.EqualTo("janet"), "an edited map is re-read");
    }

    [Test]
    public void AMissingMapFileMapsNothing()
    {
        var warnings = new List<string>();
        var rules = new LoginNameRules(new LoginNameSettings(), new LoginNameMap("/nonexistent/map", warnings.Add));
        Assert.That(rules.Normalize("joe"), Is.EqualTo("joe"));
        Assert.That(warnings.Single(), Does.Contain("cannot read"));
    }
}
