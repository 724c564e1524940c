using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class ConfigLoaderTests
{
    private const string SiteConfig = """
        logging { facility local1; }
        program pop3d {
          transcript yes;
          bogus-pop3d-only-statement 1;
        }
        program imap4d {
          login-disabled yes;
        }
        timeout 60;
        """;

    [Test]
    public void SiteFileGivesCommonStatementsAndTheImap4dSection()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with { SiteConfigFile = dir.Write("mailutils.conf", SiteConfig) };
        var tree = ConfigLoader.Load(options);
        Assert.Multiple(() =>
        {
            Assert.That(ConfigText.Dump(tree.Nodes), Is.EqualTo("logging { facility local1; } login-disabled yes; timeout 60;"));
            Assert.That(tree.Nodes[1].Location.Line, Is.EqualTo(7));
            var settings = SettingsBinder.Bind(tree, out _);
            Assert.That(settings.Transcript, Is.False);
            Assert.That(settings.LoginDisabled, Is.True);
        });
    }

    [Test]
    public void ProgramFileIsReadAfterTheSiteFile()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "timeout 60;\n"),
            ProgramConfigFile = dir.Write("mailutils.d/imap4d", "timeout 120;\n"),
        };
        var tree = ConfigLoader.Load(options);
        Assert.Multiple(() =>
        {
            Assert.That(SettingsBinder.Bind(tree, out _).IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(120)));
            Assert.That(tree.Files, Is.EqualTo(new[] { options.SiteConfigFile, options.ProgramConfigFile }));
        });
    }

    [Test]
    public void NoSiteConfigSkipsOnlyTheSiteFile()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "timeout 60;\n"),
            ProgramConfigFile = dir.Write("mailutils.d/imap4d", "transcript yes;\n"),
            NoSiteConfig = true,
        };
        Assert.That(ConfigText.Dump(ConfigLoader.Load(options).Nodes), Is.EqualTo("transcript yes;"));
    }

    [Test]
    public void ConfigFileReplacesBothDefaults()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "timeout 60;\n"),
            ProgramConfigFile = dir.Write("mailutils.d/imap4d", "transcript yes;\n"),
            ConfigFile = dir.Write("mine.conf", "login-disabled yes;\nprogram pop3d { x 1; }\n"),
        };
        Assert.That(ConfigText.Dump(ConfigLoader.Load(options).Nodes), Is.EqualTo("login-disabled yes; program pop3d { x 1; }"), "program sections are left for the binder to ignore, as GNU does");
    }

    [Test]
    public void MissingConfigFileIsAnError()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "missing.conf");
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Options(dir) with { ConfigFile = missing }));
        Assert.That(error!.Message, Is.EqualTo($"{missing}: cannot read configuration file: no such file"));
    }

    [Test]
    public void NoConfigReadsNothingButSetStillApplies()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "timeout 60;\n"),
            NoConfig = true,
            Assignments = ["transcript=yes"],
        };
        Assert.That(ConfigText.Dump(ConfigLoader.Load(options).Nodes), Is.EqualTo("transcript yes;"));
    }

    [TestCase(".logging.syslog=no", "logging { syslog no; }")]
    [TestCase("logging.syslog=no", "logging { syslog no; }")]
    [TestCase("/logging/tag=a.b", "logging { tag a.b; }")]
    [TestCase(".logging.tag=my.tag", "logging { tag my.tag; }")]
    [TestCase("id-fields=(name, version)", "id-fields (name, version);")]
    [TestCase("timeout=\"1 hour\"", "timeout \"1 hour\";")]
    [TestCase(".server=1.2.3.4:143.timeout=5", "server 1.2.3.4:143 { timeout 5; }")]
    [TestCase(".namespace=personal.prefix=\"a.b\".directory=/x", "namespace personal { prefix a.b { directory /x; } }")]
    [TestCase(".namespace=other.prefix=\"\".directory=/x", "namespace other { prefix \"\" { directory /x; } }")]
    public void SetBuildsTheStatement(string assignment, string expected) =>
        Assert.That(ConfigText.Dump(SetAssignment.Parse(assignment, new SourceLocation("--set", 1))), Is.EqualTo(expected));

    [TestCase("logging.syslog")]
    [TestCase("=yes")]
    [TestCase(".logging..syslog=no")]
    public void MalformedSetIsAnError(string assignment) =>
        Assert.Throws<ConfigException>(() => SetAssignment.Parse(assignment, new SourceLocation("--set", 1)));

    [Test]
    public void SetOverridesFiles()
    {
        using var dir = new TempDirectory();
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "logging { syslog yes; tag x; }\n"),
            Assignments = [".logging.syslog=no", "login-disabled=yes"],
        };
        var settings = SettingsBinder.Bind(ConfigLoader.Load(options), out _);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Logging.Syslog, Is.False);
            Assert.That(settings.Logging.Tag, Is.EqualTo("x"));
            Assert.That(settings.LoginDisabled, Is.True);
        });
    }

    [Test]
    public void SetErrorsNameTheOption()
    {
        var options = new ConfigSourceOptions { NoConfig = true, Assignments = ["transcript=yes", "login-disabled=perhaps"] };
        var error = Assert.Throws<ConfigException>(() => SettingsBinder.Bind(ConfigLoader.Load(options), out _));
        Assert.That(error!.Message, Does.StartWith("--set:2: \"perhaps\" is not a boolean value"));
    }

    [Test]
    public void VerboseReportsEachFile()
    {
        using var dir = new TempDirectory();
        var log = new StringWriter();
        dir.Write("inc.conf", "transcript yes;\n");
        var options = Options(dir) with
        {
            SiteConfigFile = dir.Write("mailutils.conf", "include inc.conf;\n"),
            Verbose = log,
        };
        ConfigLoader.Load(options);
        Assert.That(log.ToString(), Does.Contain($"parsing file `{options.SiteConfigFile}'")
            .And.Contain($"parsing file `{Path.Combine(dir.Path, "inc.conf")}'"));
    }

    /// <summary>Default file names inside the scratch directory, so no test reads /etc.</summary>
    private static ConfigSourceOptions Options(TempDirectory dir) => new()
    {
        SiteConfigFile = Path.Combine(dir.Path, "none-site.conf"),
        ProgramConfigFile = Path.Combine(dir.Path, "none-program.conf"),
    };
}
