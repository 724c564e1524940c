using Imap4d.Hosting;
using Imap4d.Logging;

namespace Imap4d.Tests.Hosting;

public class CommandLineOptionsTests
{
    private static (CommandLineResult Result, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        CommandLineResult result = CommandLineOptions.Parse(args, stdout, stderr);
        return (result, stdout.ToString(), stderr.ToString());
    }

    private static CommandLineOptions Options(params string[] args)
    {
        var (result, stdout, stderr) = Run(args);
        Assert.That(result.ShouldExit, Is.False, stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.Empty);
        return result.Options!;
    }

    [Test]
    public void NoArgumentsGiveDefaults()
    {
        CommandLineOptions options = Options();
        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.Null);
            Assert.That(options.MaxChildren, Is.Null);
            Assert.That(options.Foreground, Is.False);
            Assert.That(options.Preauth, Is.False);
            Assert.That(options.Test, Is.False);
            Assert.That(options.ConfigFile, Is.Null);
            Assert.That(options.LoadSiteConfig, Is.True);
            Assert.That(options.Settings, Is.Empty);
            Assert.That(options.LogFacility, Is.Null);
            Assert.That(options.DebugLevel, Is.Null);
        });
    }

    [TestCase(new[] { "-d" }, ServerMode.Daemon, null)]
    [TestCase(new[] { "--daemon" }, ServerMode.Daemon, null)]
    [TestCase(new[] { "-d5" }, ServerMode.Daemon, 5)]
    [TestCase(new[] { "--daemon=7" }, ServerMode.Daemon, 7)]
    [TestCase(new[] { "--dae=3" }, ServerMode.Daemon, 3)]
    [TestCase(new[] { "-d0" }, ServerMode.Daemon, 0)]
    [TestCase(new[] { "-i" }, ServerMode.Inetd, null)]
    [TestCase(new[] { "--inetd" }, ServerMode.Inetd, null)]
    [TestCase(new[] { "-d5", "-i" }, ServerMode.Inetd, 5)]
    [TestCase(new[] { "-i", "-d" }, ServerMode.Daemon, null)]
    [TestCase(new[] { "-id" }, ServerMode.Daemon, null)]
    [TestCase(new[] { "-id9" }, ServerMode.Daemon, 9)]
    [TestCase(new[] { "-d5", "-d" }, ServerMode.Daemon, 5)]
    [TestCase(new[] { "-i", "--no-inetd" }, null, null)]
    [TestCase(new[] { "-d", "--no-inetd" }, ServerMode.Daemon, null)]
    public void ModeAndMaxChildren(string[] args, ServerMode? mode, int? maxChildren)
    {
        CommandLineOptions options = Options(args);
        Assert.That(options.Mode, Is.EqualTo(mode));
        Assert.That(options.MaxChildren, Is.EqualTo(maxChildren));
    }

    [Test]
    public void EveryFlag()
    {
        CommandLineOptions options = Options(
            "--foreground", "--preauth", "--test", "--config-lint", "--config-verbose", "--no-site-config",
            "--config-help", "--show-config-options", "--debug-line-info");
        Assert.Multiple(() =>
        {
            Assert.That(options.Foreground, Is.True);
            Assert.That(options.Preauth, Is.True);
            Assert.That(options.Test, Is.True);
            Assert.That(options.ConfigLint, Is.True);
            Assert.That(options.ConfigVerbose, Is.True);
            Assert.That(options.NoSiteConfig, Is.True);
            Assert.That(options.LoadSiteConfig, Is.False);
            Assert.That(options.ConfigHelp, Is.True);
            Assert.That(options.ShowConfigOptions, Is.True);
            Assert.That(options.DebugLineInfo, Is.True);
        });
    }

    [TestCase("--no-config")]
    [TestCase("--no-site-config")]
    [TestCase("--no-c")]
    public void NoConfigSpellings(string arg)
    {
        Assert.That(Options(arg).NoSiteConfig, Is.True);
    }

    [TestCase(new[] { "--foreground", "--no-foreground" }, false)]
    [TestCase(new[] { "--no-foreground", "--foreground" }, true)]
    [TestCase(new[] { "--fore" }, true)]
    [TestCase(new[] { "--foreground", "--foreground" }, true)]
    public void NegatableFlagsLastOneWins(string[] args, bool foreground)
    {
        Assert.That(Options(args).Foreground, Is.EqualTo(foreground));
    }

    [TestCase(new[] { "--config-file=/etc/x.conf" }, "/etc/x.conf")]
    [TestCase(new[] { "--config-file", "/etc/x.conf" }, "/etc/x.conf")]
    [TestCase(new[] { "--config-file", "-odd" }, "-odd")]
    [TestCase(new[] { "--config-file=a", "--config-file=b" }, "b")]
    [TestCase(new[] { "--config-f", "with space" }, "with space")]
    public void ConfigFile(string[] args, string file)
    {
        CommandLineOptions options = Options(args);
        Assert.That(options.ConfigFile, Is.EqualTo(file));
        Assert.That(options.LoadSiteConfig, Is.False, "--config-file implies --no-config");
    }

    [Test]
    public void SetIsRepeatableAndKeepsOrderAndEqualsSigns()
    {
        CommandLineOptions options = Options("--set", "logging.facility=local1", "--set=timeout=10", "--set", "a.b=x=y");
        Assert.That(options.Settings, Is.EqualTo(new[] { "logging.facility=local1", "timeout=10", "a.b=x=y" }));
    }

    [Test]
    public void LogFacilityAndDebugLevel()
    {
        CommandLineOptions options = Options("--log-facility=local3", "--debug-level", "imap4d.trace7");
        Assert.Multiple(() =>
        {
            Assert.That(options.LogFacility, Is.EqualTo("local3"));
            Assert.That(options.Facility, Is.EqualTo(SyslogFacility.Local3));
            Assert.That(options.DebugLevel, Is.EqualTo("imap4d.trace7"));
        });
    }

    [TestCase("--help")]
    [TestCase("-?")]
    [TestCase("--he")]
    public void HelpPrintsToStdoutAndExitsZero(string arg)
    {
        var (result, stdout, stderr) = Run(arg);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(stdout, Does.StartWith("Usage: imap4d [OPTION...]\n"));
        Assert.That(stdout, Does.Contain("  -d, --daemon[=NUMBER]"));
        Assert.That(stdout, Does.Contain("--no-site-config, --no-config"));
        Assert.That(stdout, Does.Contain("Report bugs to"));
        Assert.That(stderr, Is.Empty);
    }

    [Test]
    public void HelpListsEveryOptionAndFitsIn80Columns()
    {
        var (_, stdout, _) = Run("--help");
        foreach (GnuOption option in GnuOptionTable.Options)
        {
            Assert.That(stdout, Does.Contain("--" + (option.Negatable ? "[no-]" : "") + option.LongName));
        }

        Assert.That(stdout.Split('\n').Max(line => line.Length), Is.LessThanOrEqualTo(79));
    }

    [Test]
    public void DeliverTakesSenderFolderAndUsers()
    {
        var (result, _, _) = Run("--deliver", "-f", "-odd@example.org", "-mLists/Work", "alice", "--", "-bob");
        var options = result.Options!;
        Assert.That(options.Deliver, Is.True);
        Assert.That(options.From, Is.EqualTo("-odd@example.org"));
        Assert.That(options.DeliverFolder, Is.EqualTo("Lists/Work"));
        Assert.That(options.Recipients, Is.EqualTo(new[] { "alice", "-bob" }));
    }

    [Test]
    public void NullSenderAndLmtp()
    {
        Assert.That(Run("--deliver", "--from=", "u").Result.Options!.From, Is.EqualTo(""));
        Assert.That(Run("--lmtp").Result.Options!.Lmtp, Is.True);
        Assert.That(Run("--lmtp", "user").Result.ExitCode, Is.EqualTo(64), "operands belong to --deliver only");
    }

    [Test]
    public void UsageIsAShortSynopsis()
    {
        var (result, stdout, _) = Run("--usage");
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(stdout, Does.StartWith("Usage: imap4d [-?Vi] [-d[NUMBER]] [-f SENDER] [-m FOLDER] [--config-file=FILE]"));
        Assert.That(stdout, Does.Contain("[--daemon[=NUMBER]]"));
        Assert.That(stdout.Split('\n').Max(line => line.Length), Is.LessThanOrEqualTo(79));
    }

    [TestCase("--version")]
    [TestCase("-V")]
    public void Version(string arg)
    {
        var (result, stdout, _) = Run(arg);
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(stdout, Does.StartWith("imap4d (imap4d for .NET) 0.1.0\n"));
        Assert.That(stdout, Does.Contain("License GPLv3+"));
    }

    [Test]
    public void HelpActsBeforeLaterErrors()
    {
        Assert.That(Run("--help", "--bogus").Result.ExitCode, Is.EqualTo(0));
        Assert.That(Run("extra", "--help").Result.ExitCode, Is.EqualTo(0), "operands are checked after all options");
        Assert.That(Run("--bogus", "--help").Result.ExitCode, Is.EqualTo(64));
    }

    [TestCase(new[] { "--foo" }, "imap4d: unrecognized option '--foo'")]
    [TestCase(new[] { "-x" }, "imap4d: invalid option -- 'x'")]
    [TestCase(new[] { "-ix" }, "imap4d: invalid option -- 'x'")]
    [TestCase(new[] { "extra" }, "imap4d: extra operand 'extra'")]
    [TestCase(new[] { "-" }, "imap4d: extra operand '-'")]
    [TestCase(new[] { "--", "-i" }, "imap4d: extra operand '-i'")]
    [TestCase(new[] { "--daemon", "7" }, "imap4d: extra operand '7'")]
    [TestCase(new[] { "-d", "7" }, "imap4d: extra operand '7'")]
    [TestCase(new[] { "-di" }, "imap4d: i: bad argument")]
    [TestCase(new[] { "--daemon=x" }, "imap4d: x: bad argument")]
    [TestCase(new[] { "--daemon=-1" }, "imap4d: -1: bad argument")]
    [TestCase(new[] { "--daemon=" }, "imap4d: : bad argument")]
    [TestCase(new[] { "--set" }, "imap4d: option '--set' requires an argument")]
    [TestCase(new[] { "--config-file" }, "imap4d: option '--config-file' requires an argument")]
    [TestCase(new[] { "--inetd=yes" }, "imap4d: option '--inetd' doesn't allow an argument")]
    [TestCase(new[] { "--config" }, "imap4d: option '--config' is ambiguous; possibilities: '--config-file' '--config-lint' '--config-verbose' '--config-help'")]
    [TestCase(new[] { "--max-children=3" }, "imap4d: unrecognized option '--max-children'")]
    [TestCase(new[] { "--no-preauth" }, "imap4d: unrecognized option '--no-preauth'")]
    [TestCase(new[] { "--" + "" + "=x" }, "imap4d: unrecognized option '--'")]
    [TestCase(new[] { "--log-facility=bogus" }, "imap4d: unknown syslog facility 'bogus'")]
    public void UsageErrorsExit64WithHint(string[] args, string message)
    {
        var (result, stdout, stderr) = Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo(
            message + Environment.NewLine
            + "Try 'imap4d --help' or 'imap4d --usage' for more information." + Environment.NewLine));
    }
}
