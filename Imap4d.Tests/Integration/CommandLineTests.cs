using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>Exit codes and messages of the built executable's command line and configuration checks.</summary>
[Category("Integration")]
public class CommandLineTests
{
    [TestCase("--bogus")]
    [TestCase("positional")]
    [TestCase("--daemon", "7")]
    public void BadUsageExits64(params string[] args)
    {
        var (code, stdout, stderr) = ServerProcess.Run("", args);
        Assert.That(code, Is.EqualTo(64));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain("Try 'imap4d --help'"));
    }

    [Test]
    public void VersionAndHelpExitZero()
    {
        var (code, stdout, _) = ServerProcess.Run("", "--version");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.StartWith("imap4d"));
        (code, stdout, _) = ServerProcess.Run("", "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("--config-file"));
    }

    [Test]
    public void SampleConfigurationPassesLint()
    {
        string sample = Path.Combine(RepoPaths.Root, "etc", "imap4d.conf");
        var (code, _, stderr) = ServerProcess.Run("", "--config-lint", "--config-file=" + sample);
        Assert.That(code, Is.EqualTo(0), stderr);
    }

    [Test]
    public void BrokenConfigurationExits78WithFileAndLine()
    {
        string file = Path.Combine(Path.GetTempPath(), $"imap4d-broken-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, "# a comment\nlogin-disabled yes;\nlogging {\n  syslog maybe;\n};\n");
        try
        {
            var (code, _, stderr) = ServerProcess.Run("", "--config-lint", "--config-file=" + file);
            Assert.That(code, Is.EqualTo(78));
            Assert.That(stderr, Does.Contain(file + ":4:"));

            (code, _, stderr) = ServerProcess.Run("", "--test", "--config-file=" + file);
            Assert.That(code, Is.EqualTo(78), "the server refuses to start too");
            Assert.That(stderr, Does.Contain(file + ":4:"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ConfigHelpPrintsTheSchema()
    {
        var (code, stdout, _) = ServerProcess.Run("", "--config-help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("login-disabled"));
        Assert.That(stdout, Does.Contain("namespace"));
    }
}
