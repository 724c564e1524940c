using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Issue 11: a configuration written for GNU imap4d, with statements this daemon accepts but does
/// not implement, runs a `--test` session exactly as GNU does: nothing on stderr (GNU's own test
/// scripts compare stderr to empty). The same for a Debian-style /etc/mailutils.conf holding the
/// settings of several mailutils programs and a `program imap4d { }` section.
/// </summary>
[Category("Integration")]
public class GnuConfigSessionTests
{
    private const string GnuImap4d = "/usr/sbin/imap4d";

    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), $"imap4d-gnuconf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_root, "mail"));
        File.WriteAllText(Path.Combine(_root, "mail", "INBOX"), "");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    /// <summary>Statements GNU accepts and this daemon ignores; the log keeps to notices and worse, so that info lines do not count.</summary>
    private string GnuOnlyStatements => $$"""
        logging { severity notice; };
        gsasl { enable off; };
        tcp-wrappers { enable no; };
        debug { level "acl"; line-info no; };
        locking { type dotlock; retry-count 3; retry-sleep 1; pid-check yes; };
        mandatory-locking { enable no; };
        tls-file-checks { key-file none; };
        virtdomain { passwd-dir "/etc/mail/domains"; };
        sql { interface mysql; host localhost; };
        ldap { enable off; };
        mailer { url "sendmail:"; };
        mailbox {
          mailbox-pattern "{{_root}}/mail/INBOX";
          autodetect-accuracy fast;
        };
        namespace personal { prefix "" { directory "{{_root}}/mail"; }; };
        """;

    [Test]
    public void UnimplementedGnuStatementsLeaveATestSessionsStderrEmpty()
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, GnuOnlyStatements);
        var (stdout, stderr, code) = RunSession("--config-file=" + config);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain("1 OK"));
            Assert.That(stderr, Is.Empty);
            Assert.That(code, Is.EqualTo(0));
        });
    }

    [Test]
    public void LintStillNamesWhatIsIgnored()
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, GnuOnlyStatements);
        var (_, stderr, code) = Run(["--config-file=" + config, "--config-lint"], "");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0));
            Assert.That(stderr, Does.Contain("statement \"gsasl\" is not implemented yet; ignored"));
            Assert.That(stderr, Does.Contain("unknown block \"mailer\" ignored"));
        });
    }

    /// <summary>
    /// A site file in the Debian way (common settings, other programs' sections, imap4d's own
    /// section) given with --config-file: GNU honours `program` sections only in the site-wide
    /// file (/etc/mailutils.conf, see ConfigLoaderTests.SiteFileGivesCommonStatementsAndTheImap4dSection)
    /// and ignores them here, saying so; so do we (we used to apply `program imap4d`).
    /// </summary>
    [Test]
    public void ProgramSectionsOfAConfigFileAreIgnoredAsByGnu()
    {
        File.WriteAllText(Path.Combine(_root, "mail", "hbox"), "");
        string site = Path.Combine(_root, "mailutils.conf");
        File.WriteAllText(site, $$"""
            # Settings shared by every GNU Mailutils program.
            mailbox { mailbox-pattern "{{_root}}/mail/INBOX"; mailbox-type mbox; };
            address { email-domain "example.org"; };
            program pop3d {
              undelete yes;
            };
            program imap4d {
              namespace personal { prefix "" { directory "{{_root}}/mail"; }; };
            };
            """);
        var (lintOut, lintErr, lintCode) = Run(["--config-file=" + site, "--config-lint"], "");
        Assert.That(lintCode, Is.EqualTo(0), lintOut + lintErr);
        Assert.That(lintErr, Does.Contain(":4: warning: ignoring `program' block: not located in top-level configuration file"));
        const string Input = "1 LIST \"\" hbox\r\n2 LIST \"\" INBOX\r\n3 LOGOUT\r\n";
        var (stdout, _, code) = Run(["--test", "--preauth", "--config-file=" + site], Input);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Not.Contain("hbox"), "the personal namespace is the home directory");
            Assert.That(stdout, Does.Match(@"(?i)\* LIST \(\\NoInferiors\) \S+ INBOX"));
            Assert.That(code, Is.EqualTo(0));
        });
        if (File.Exists(GnuImap4d))
        {
            var gnu = ExternalProgram.RunSeparately(GnuImap4d, ["--test", "--preauth", "--config-file=" + site], Input, TimeSpan.FromSeconds(30));
            Assert.That(gnu.Stdout, Does.Not.Contain("hbox"), "GNU imap4d, the oracle");
            Assert.That(gnu.Stderr, Does.Contain("ignoring `program' block: not located in top-level configuration file"));
        }
    }

    /// <summary>`mailbox { folder }` is for other Mailutils programs: GNU imap4d 3.15 keeps its personal namespace in the home directory (we used to move it there).</summary>
    [Test]
    public void FolderDoesNotMoveThePersonalNamespace()
    {
        File.WriteAllText(Path.Combine(_root, "mail", "fbox"), "");
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            mailbox { folder "{{_root}}/mail"; mailbox-pattern "{{_root}}/mail/INBOX"; };
            """);
        const string Input = "1 LIST \"\" fbox\r\n2 EXAMINE fbox\r\n3 LOGOUT\r\n";
        var (stdout, _, _) = Run(["--test", "--preauth", "--config-file=" + config], Input);
        Assert.That(stdout, Does.Not.Contain("LIST (").And.Contain("2 NO"));
        if (File.Exists(GnuImap4d))
        {
            var gnu = ExternalProgram.RunSeparately(GnuImap4d, ["--test", "--preauth", "--config-file=" + config], Input, TimeSpan.FromSeconds(30));
            Assert.That(gnu.Stdout, Does.Not.Contain("LIST (").And.Contain("2 NO"), "GNU imap4d, the oracle");
        }
    }

    /// <summary>
    /// Issue 11, item 2: with no `logging` block a --test session logs to syslog, as GNU imap4d
    /// does, so stderr stays empty (it used to get the info lines); an inetd session likewise.
    /// </summary>
    [TestCase("--test", "--preauth")]
    [TestCase("-i")]
    public void ASessionWithDefaultLoggingWritesNothingToStderr(params string[] mode)
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            mailbox { mailbox-pattern "{{_root}}/mail/INBOX"; };
            namespace personal { prefix "" { directory "{{_root}}/mail"; }; };
            """);
        string input = mode[0] == "-i" ? "1 CAPABILITY\r\n2 LOGOUT\r\n" : "1 SELECT INBOX\r\n2 LOGOUT\r\n";
        var (stdout, stderr, code) = Run([.. mode, "--config-file=" + config], input);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain("2 OK"));
            Assert.That(stderr, Is.Empty);
            Assert.That(code, Is.EqualTo(0));
        });
        if (File.Exists(GnuImap4d))
        {
            var gnu = ExternalProgram.RunSeparately(GnuImap4d, [.. mode, "--config-file=" + config], input, TimeSpan.FromSeconds(30));
            Assert.That(gnu.Stderr, Is.Empty, "GNU imap4d, the oracle");
        }
    }

    /// <summary>`logging { syslog no; }` sends the log to stderr, in GNU imap4d and here; --debug-level asks for it too.</summary>
    [TestCase("logging { syslog no; };", "")]
    [TestCase("", "--debug-level=1")]
    public void TheLogGoesToStderrWhenAskedFor(string logging, string debug)
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            {{logging}}
            mailbox { mailbox-pattern "{{_root}}/mail/INBOX"; };
            """);
        string[] args = debug.Length > 0 ? ["--test", "--preauth", debug, "--config-file=" + config] : ["--test", "--preauth", "--config-file=" + config];
        var (_, stderr, code) = Run(args, "1 SELECT INBOX\r\n2 LOGOUT\r\n");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stderr, Does.Contain("imap4d: user root preauthenticated"));
    }

    /// <summary>GNU imap4d: test mode is one session on stdin/stdout even when the configuration says `mode daemon` (it used to start a daemon on port 143).</summary>
    [Test]
    public void TestModeIsASessionEvenWhenTheConfigurationSaysDaemon()
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            mode daemon;
            port {{ServerProcess.FreePort()}};
            mailbox { mailbox-pattern "{{_root}}/mail/INBOX"; };
            """);
        var result = ExternalProgram.RunSeparately(RepoPaths.Executable, ["--test", "--preauth", "--config-file=" + config],
            "1 NOOP\r\n2 LOGOUT\r\n", TimeSpan.FromSeconds(10));
        var (stdout, code) = (result.Stdout, result.Code);
        Assert.That(stdout, Does.StartWith("* PREAUTH IMAP4rev1 Test mode").And.Contain("2 OK"));
        Assert.That(code, Is.EqualTo(0));
    }

    private (string Stdout, string Stderr, int Code) RunSession(string configArgument) =>
        Run(["--test", "--preauth", configArgument], "1 LIST \"\" INBOX\r\n2 LOGOUT\r\n");

    private static (string Stdout, string Stderr, int Code) Run(string[] args, string input)
    {
        var result = ExternalProgram.RunSeparately(RepoPaths.Executable, args, input, TimeSpan.FromSeconds(30));
        return (result.Stdout, result.Stderr, result.Code);
    }
}
