using System.Diagnostics;
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

    /// <summary>A site file in the Debian way: common settings, other programs' sections, imap4d's own section.</summary>
    [Test]
    public void DebianStyleSiteConfigurationRunsUnchanged()
    {
        string site = Path.Combine(_root, "mailutils.conf");
        File.WriteAllText(site, $$"""
            # Settings shared by every GNU Mailutils program.
            logging { syslog yes; facility mail; };
            mailbox { mailbox-pattern "{{_root}}/mail/INBOX"; mailbox-type mbox; };
            mailer { url "sendmail:/usr/sbin/sendmail"; };
            address { email-domain "example.org"; };
            program pop3d {
              undelete yes;
              expire 30;
            };
            program imap4d {
              gsasl { enable off; };
              tcp-wrappers { enable no; };
              namespace personal { prefix "" { directory "{{_root}}/mail"; }; };
              login-disabled no;
            };
            """);
        var (lintOut, lintErr, lintCode) = Run(["--config-file=" + site, "--config-lint"], "");
        Assert.That(lintCode, Is.EqualTo(0), lintOut + lintErr);
        var (stdout, stderr, code) = RunSession("--config-file=" + site);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Match(@"(?i)\* LIST \(\\NoInferiors\) \S+ INBOX"));
            Assert.That(stderr, Does.Not.Contain("warning").And.Not.Contain("ignored"));
            Assert.That(code, Is.EqualTo(0));
        });
    }

    private (string Stdout, string Stderr, int Code) RunSession(string configArgument) =>
        Run(["--test", "--preauth", configArgument], "1 LIST \"\" INBOX\r\n2 LOGOUT\r\n");

    private static (string Stdout, string Stderr, int Code) Run(string[] args, string input)
    {
        var info = new ProcessStartInfo(RepoPaths.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("imap4d hung");
        }

        process.WaitForExit();
        return (stdout.Result, stderr.Result, process.ExitCode);
    }
}
