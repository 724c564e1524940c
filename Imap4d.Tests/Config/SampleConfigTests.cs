using Imap4d.Config;

namespace Imap4d.Tests.Config;

/// <summary>The annotated `etc/imap4d.conf` shipped with the sources must stay valid.</summary>
public class SampleConfigTests
{
    [Test]
    public void SampleConfigParsesAndBindsWithoutErrorsOrWarnings()
    {
        var path = Path.Combine(RepositoryRoot(), "etc", "imap4d.conf");
        var tree = ConfigLoader.Load(new ConfigSourceOptions { ConfigFile = path });
        var settings = SettingsBinder.Bind(tree, out var warnings);
        Assert.Multiple(() =>
        {
            Assert.That(warnings, Is.Empty);
            Assert.That(settings.Namespaces.Personal[0].Directory, Is.EqualTo("$home/mail"));
            Assert.That(settings.Namespaces.Other.Single().Prefix, Is.EqualTo("~"));
        });
    }

    [Test]
    public void SampleConfigShowsEveryImplementedStatement()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "etc", "imap4d.conf"));
        var implemented = ConfigSchema.All().Where(e => e.Entry.Implemented).Select(e => e.Entry.Name).Distinct();
        Assert.That(implemented.Where(name => !text.Contains(name + " ", StringComparison.Ordinal)), Is.Empty);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "imap4d.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("imap4d.sln not found above the test directory");
    }
}
