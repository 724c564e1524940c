using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class ConfigLintTests
{
    [Test]
    public void CleanConfigurationExitsZeroAndPrintsWarnings()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("imap4d.conf", "transcript yes;\ntcp-wrappers yes;\n");
        var errors = new StringWriter();
        Assert.Multiple(() =>
        {
            Assert.That(ConfigLint.Run(new ConfigSourceOptions { ConfigFile = file }, errors), Is.EqualTo(0));
            Assert.That(errors.ToString(), Is.EqualTo($"imap4d: {file}:2: warning: statement \"tcp-wrappers\" is not implemented yet; ignored\n"));
        });
    }

    [Test]
    public void BrokenConfigurationExits78()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("imap4d.conf", "transcript yes;\nfoo bar;\n");
        var errors = new StringWriter();
        Assert.Multiple(() =>
        {
            Assert.That(ConfigLint.Run(new ConfigSourceOptions { ConfigFile = file }, errors), Is.EqualTo(78));
            Assert.That(errors.ToString(), Is.EqualTo($"imap4d: {file}:2: unknown keyword \"foo\"\n"));
        });
    }
}
