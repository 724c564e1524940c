using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The stress driver (see <see cref="StressTests"/>) against two system users whose INBOXes lie
/// in a spool laid out as Debian's /var/mail (root:mail 2775, each mbox user:mail 0660), the
/// daemon running as root and switching to each user after login: the clients of each user
/// share that user's INBOX, and both users' sessions run at the same time.
/// </summary>
[Category("Integration")]
[Category("Root")]
[NonParallelizable]
public class SpoolStressTests
{
    [Test]
    public void TwoUsersOnADebianSpoolUnderLoad()
    {
        SystemAccount.RequireRootTools();
        using var a = SystemAccount.Create("sa", "alpha-Stress-1");
        using var b = SystemAccount.Create("sb", "beta-Stress-2");
        string dir = Directory.CreateTempSubdirectory("imap4d-spool-stress-").FullName;
        try
        {
            var debianSpool = DebianSpool.Create(dir);
            string spool = debianSpool.Path;
            foreach (var user in new[] { a, b })
            {
                debianSpool.AddInbox(user);
                Directory.CreateDirectory(Path.Combine(user.Home, "mail"));
                user.Own(Path.Combine(user.Home, "mail"), 0x1c0);
            }

            int port = ServerProcess.FreePort();
            string conf = Path.Combine(dir, "imap4d.conf");
            File.WriteAllText(conf, $$"""
                mode daemon;
                foreground yes;
                max-children 500;
                logging { syslog no; severity warning; }
                server 127.0.0.1:{{port}} { backlog 128; }
                mailbox { mail-spool "{{spool}}"; }
                namespace personal { prefix "" { directory "$home/mail"; delimiter "/"; mailbox-type mbox; } }
                auth { authentication system; authorization system; }
                login-failure-delay 0;
                lockout { max-failures 0; directory "{{dir}}/lockout"; }
                """);
            using var server = ServerProcess.Start("--config-file=" + conf);
            server.WaitForPort(port);
            var (code, output) = StressTests.Run(port, server.Process.Id,
                ["--user", $"{a.Name}:{a.Password}", "--user", $"{b.Name}:{b.Password}"]);
            TestContext.Out.WriteLine(output);
            Assert.That(code, Is.Zero, output + "\n" + server.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
