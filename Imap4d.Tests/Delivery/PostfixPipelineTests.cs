using System.Diagnostics;
using System.Globalization;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Delivery;

/// <summary>
/// The whole pipeline with Debian's Postfix, started in a private configuration directory
/// (its own queue, SMTP on a free port of 127.0.0.1): a message sent by python's smtplib is
/// delivered by imap4d, once as Postfix's mailbox_command and once through the LMTP socket of
/// an imap4d daemon, and reaches an IMAP session of the recipient that waits in IDLE. The time
/// from the SMTP DATA reply to the IDLE EXISTS is printed (asserted only against a generous bound).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class PostfixPipelineTests
{
    private const string Postfix = "/usr/sbin/postfix";

    [TestCase("mailbox_command")]
    [TestCase("lmtp")]
    public void SmtpMessageReachesAnIdleSession(string route)
    {
        SystemAccount.RequireRootTools();
        if (!File.Exists(Postfix) || !File.Exists("/usr/lib/postfix/sbin/master"))
        {
            Assert.Ignore("needs Debian's postfix");
        }

        using var user = SystemAccount.Create("pf", "pfsecret");
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-postfix-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        Syscall.chmod(dir, (FilePermissions)0x1ed);
        string config = Path.Combine(dir, "imap4d.conf");
        string socket = Path.Combine(dir, "lmtp.sock");
        File.WriteAllText(config, $$"""
            logging { syslog no; };
            mailbox { mailbox-pattern "maildir://$home/Maildir"; };
            server {{socket}} { protocol lmtp; };
            """);
        int smtpPort = ServerProcess.FreePort();
        string postfixConfig = WritePostfixConfig(dir, smtpPort, route == "lmtp"
            ? $"mailbox_transport = lmtp:unix:{socket}"
            : $"mailbox_command = {RepoPaths.Executable} --config-file={config} --deliver -f \"$SENDER\" -- \"$USER\"");
        ServerProcess? daemon = null;
        try
        {
            if (route == "lmtp")
            {
                daemon = ServerProcess.Start("--config-file=" + config, "--daemon", "--foreground");
                Assert.That(ProcTable.WaitUntil(() => File.Exists(socket), TimeSpan.FromSeconds(20)), Is.True, daemon.Stderr);
            }

            var (code, output) = ExternalProgram.Run("script", ["-qc", $"{Postfix} -c {postfixConfig} start", "/dev/null"], timeout: TimeSpan.FromSeconds(60));
            Assert.That(code, Is.Zero, "postfix start: " + output);
            WaitForPort(smtpPort);

            using var session = ServerProcess.Start("--test", "--config-file=" + config);
            var reader = session.Process.StandardOutput;
            var writer = session.Process.StandardInput;
            Assert.That(reader.ReadLine(), Does.StartWith("* OK"));
            writer.Write($"a LOGIN {user.Name} {user.Password}\r\nb SELECT INBOX\r\nc IDLE\r\n");
            writer.Flush();
            string selected = DeliverCommandTests.ReadUntil(reader, "b ");
            Assert.That(selected, Does.Contain("b OK"), selected);
            Assert.That(reader.ReadLine(), Does.StartWith("+ "));

            var send = ExternalProgram.Run("python3", ["-c", $"""
                import smtplib, time
                s = smtplib.SMTP('127.0.0.1', {smtpPort})
                s.sendmail('sender@example.org', ['{user.Name}@localhost.test'], 'From: sender@example.org\r\nSubject: through postfix\r\n\r\nHello.\r\n')
                print(repr(time.time()))
                s.quit()
                """], timeout: TimeSpan.FromSeconds(60));
            Assert.That(send.Code, Is.Zero, send.Output);
            double dataReply = double.Parse(send.Output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);

            var exists = Task.Run(() =>
            {
                string? line;
                while ((line = reader.ReadLine()) is not null && !line.Contains("EXISTS", StringComparison.Ordinal))
                {
                }

                return line;
            });
            Assert.That(exists.Wait(TimeSpan.FromSeconds(60)), Is.True, "no EXISTS: " + File.ReadAllText(Path.Combine(dir, "maillog")));
            double latency = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - dataReply;
            Assert.That(exists.Result, Is.EqualTo("* 1 EXISTS"));
            TestContext.Out.WriteLine($"postfix {route}: DATA reply to IDLE EXISTS {latency * 1000:0} ms");
            Assert.That(latency, Is.LessThan(30));
            writer.Write("DONE\r\nd LOGOUT\r\n");
            writer.Flush();
        }
        finally
        {
            ExternalProgram.Run("script", ["-qc", $"{Postfix} -c {postfixConfig} stop", "/dev/null"], timeout: TimeSpan.FromSeconds(60));
            daemon?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>main.cf and master.cf of a private instance: queue and data under <paramref name="dir"/>, SMTP on 127.0.0.1:<paramref name="port"/>, nothing chrooted.</summary>
    private static string WritePostfixConfig(string dir, int port, string delivery)
    {
        string conf = Path.Combine(dir, "postfix");
        string queue = Path.Combine(dir, "queue");
        Directory.CreateDirectory(conf);
        foreach (string sub in new[] { "active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private", "saved", "trace" })
        {
            Directory.CreateDirectory(Path.Combine(queue, sub));
            Chown(Path.Combine(queue, sub), "postfix", "root", 0x1c0);
        }

        Directory.CreateDirectory(Path.Combine(queue, "maildrop"));
        Chown(Path.Combine(queue, "maildrop"), "postfix", "postdrop", 0x1d8);
        Directory.CreateDirectory(Path.Combine(queue, "public"));
        Chown(Path.Combine(queue, "public"), "postfix", "postdrop", 0x1c8);
        Directory.CreateDirectory(Path.Combine(queue, "pid"));
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        Chown(Path.Combine(dir, "data"), "postfix", "root", 0x1c0);
        File.WriteAllText(Path.Combine(conf, "main.cf"), $"""
            compatibility_level = 3.6
            queue_directory = {queue}
            data_directory = {dir}/data
            mail_owner = postfix
            setgid_group = postdrop
            myhostname = localhost.test
            mydomain = localhost.test
            myorigin = localhost.test
            mydestination = localhost.test, localhost
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            alias_maps =
            alias_database =
            local_recipient_maps =
            smtputf8_enable = no
            biff = no
            syslog_name = postfix-imap4dtest
            maillog_file = {dir}/maillog
            maillog_file_prefixes = {dir}
            {delivery}
            """);
        // The system's service table without its pipe examples, nothing chrooted, SMTP on our port.
        var services = File.ReadLines("/etc/postfix/master.cf")
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !char.IsWhiteSpace(line[0]))
            .TakeWhile(line => !line.StartsWith("maildrop", StringComparison.Ordinal))
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => fields[0] == "smtp" && fields[1] == "inet"
                ? $"127.0.0.1:{port} inet n - n - - smtpd"
                : string.Join(' ', fields.Take(4).Append("n").Concat(fields.Skip(5))));
        File.WriteAllLines(Path.Combine(conf, "master.cf"), services);
        return conf;
    }

    private static void Chown(string path, string owner, string group, int mode)
    {
        var user = Syscall.getpwnam(owner) ?? throw new InvalidOperationException("no user " + owner);
        var grp = Syscall.getgrnam(group) ?? throw new InvalidOperationException("no group " + group);
        Assert.That(Syscall.chown(path, user.pw_uid, grp.gr_gid), Is.Zero);
        Assert.That(Syscall.chmod(path, (FilePermissions)(uint)mode), Is.Zero);
    }

    private static void WaitForPort(int port)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient("127.0.0.1", port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                Thread.Sleep(100);
            }
        }

        Assert.Fail("postfix does not listen on " + port);
    }
}
