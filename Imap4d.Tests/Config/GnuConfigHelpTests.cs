using Imap4d.Config;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Config;

/// <summary>
/// Issue 11: every configuration GNU imap4d 3.15 accepts loads here. The statement list is GNU's
/// own `imap4d --config-help` output (Fixtures/gnu, captured from Debian's mailutils-imap4d
/// 3.15), turned into a configuration using every statement in every documented value form.
/// </summary>
public class GnuConfigHelpTests
{
    private const string GnuImap4d = "/usr/sbin/imap4d";

    [Test]
    public void EveryStatementOfGnuConfigHelpLoadsAndLintsCleanly()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("imap4d.conf", GnuConfigHelp.ToConfiguration(File.ReadAllText(GnuConfigHelp.FixturePath), dir.Path));
        var errors = new StringWriter();
        var status = ConfigLint.Run(new ConfigSourceOptions { ConfigFile = file }, errors);
        Assert.That(status, Is.EqualTo(0), errors.ToString());
        Assert.That(errors.ToString(), Does.Not.Contain(": error"));
    }

    [Test]
    public void GnuConfigHelpLoadsInsideAProgramSectionOfTheSiteFile()
    {
        using var dir = new TempDirectory();
        var body = GnuConfigHelp.ToConfiguration(File.ReadAllText(GnuConfigHelp.FixturePath), dir.Path);
        var site = dir.Write("mailutils.conf", $"program imap4d {{\n{body}}};\n");
        var errors = new StringWriter();
        var options = new ConfigSourceOptions { SiteConfigFile = site, ProgramConfigFile = Path.Combine(dir.Path, "none") };
        Assert.That(ConfigLint.Run(options, errors), Is.EqualTo(0), errors.ToString());
    }

    /// <summary>The two statements issue 11 found refused (exit 78) although GNU accepts them.</summary>
    [TestCase("gsasl { enable off; }")]
    [TestCase("tcp-wrappers { enable no; }")]
    [TestCase("tcp-wrappers { enable yes; daemon imap4d; allow-table /etc/hosts.allow; deny-table /etc/hosts.deny; }")]
    [TestCase("tcp-wrappers no;")]
    public void StatementsGnuAcceptsLoad(string text) => Assert.DoesNotThrow(() => ConfigText.Bind(text));

    /// <summary>GNU ignores a block it does not know (another mailutils program's, in a shared file); so do we, with a note.</summary>
    [Test]
    public void UnknownBlocksAreIgnoredWithANote()
    {
        ConfigText.Bind("mailer { url \"sendmail:\"; }\nmailbox { foo { bar 1; } }\n", out var warnings);
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "test.conf:1: warning: unknown block \"mailer\" ignored",
            "test.conf:2: warning: unknown block \"mailbox.foo\" ignored",
        }));
    }

    [Test]
    public void UnknownSimpleStatementsAreStillErrors() =>
        Assert.That(ConfigText.ErrorOf("mailbox { foo 1; }"), Is.EqualTo("test.conf:1: unknown keyword \"foo\" in block \"mailbox\""));

    /// <summary>The generator's output is itself checked with GNU: GNU must accept it without a word.</summary>
    [Test]
    public void GnuImap4dAcceptsTheGeneratedConfigurationSilently()
    {
        if (!File.Exists(GnuImap4d))
        {
            Assert.Ignore($"GNU imap4d is not installed ({GnuImap4d}; package mailutils-imap4d)");
        }

        using var dir = new TempDirectory();
        var file = dir.Write("imap4d.conf", GnuConfigHelp.ToConfiguration(File.ReadAllText(GnuConfigHelp.FixturePath), dir.Path));
        var (code, output) = ExternalProgram.Run(GnuImap4d, ["--config-file=" + file, "--config-lint"]);
        var complaints = output.Split('\n')
            .Where(l => l.Length > 0 && !l.Contains("opening configuration file") && !l.Contains("parsing file")
                && !l.Contains("is deprecated") && !l.Contains("legacy flag"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(complaints, Is.Empty);
        });
    }

    /// <summary>The fixture is what the installed GNU imap4d prints (when it is 3.15).</summary>
    [Test]
    public void FixtureIsGnuImap4dsOwnOutput()
    {
        if (!File.Exists(GnuImap4d))
        {
            Assert.Ignore($"GNU imap4d is not installed ({GnuImap4d})");
        }

        var (_, version) = ExternalProgram.Run(GnuImap4d, ["--version"]);
        if (!version.Contains("3.15"))
        {
            Assert.Ignore("the installed GNU imap4d is not 3.15");
        }

        var (code, help) = ExternalProgram.Run(GnuImap4d, ["--config-help"]);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(help, Is.EqualTo(File.ReadAllText(GnuConfigHelp.FixturePath)));
    }
}
