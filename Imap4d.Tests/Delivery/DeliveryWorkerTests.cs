using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Delivery;

/// <summary>
/// LMTP as root delivers through one worker process per recipient, which has become that user
/// for good and is reused for the user's next messages on the connection: these tests read the
/// worker's pid from the maildir file names (time.MusecPpid...), and check that every file is
/// written by its own user and that no user's delivery reaches what only another may write.
/// </summary>
[Category("Integration")]
public class DeliveryWorkerTests
{
    /// <summary>Three messages on one connection: one worker, not one process per message.</summary>
    [Test]
    public void OneWorkerServesEveryMessageOfARecipientOnAConnection()
    {
        RequireRoot();
        using var root = new DeliveryRoot("maildir");
        var result = root.Lmtp("LHLO x\r\n" + string.Concat(Enumerable.Range(1, 3).Select(i =>
            $"MAIL FROM:<a@b>\r\nRCPT TO:<{DeliveryRoot.User}>\r\nDATA\r\nSubject: m{i}\r\n\r\nbody\r\n.\r\n")) + "QUIT\r\n");
        Assert.That(Regex.Matches(result.Stdout, "250 2.0.0 <vu> Saved"), Has.Count.EqualTo(3), result.Stdout + result.Stderr);
        var files = MaildirFiles(Path.Combine(root.Mail, "INBOX"));
        Assert.That(files, Has.Length.EqualTo(3));
        Assert.That(files.Select(WriterPid).Distinct().Count(), Is.EqualTo(1), string.Join("\n", files));
        Assert.That(files.Select(Owner), Is.All.EqualTo(root.Uid));
    }

    /// <summary>
    /// Three system users on one connection, in mixed order, several per message. The third one's
    /// Maildir is a symbolic link into the first one's home (mode 0700): its worker, being that
    /// user, must be refused there, whoever's worker ran before it.
    /// </summary>
    [Test]
    public void EachRecipientIsWrittenByItsOwnUserAndCannotReachAnothers()
    {
        SystemAccount.RequireRootTools();
        using var alice = SystemAccount.Create("wa", "pw1");
        using var bob = SystemAccount.Create("wb", "pw2");
        using var carol = SystemAccount.Create("wc", "pw3");
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-workers-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "imap4d.conf");
            File.WriteAllText(config, """
                logging { syslog no; severity info; };
                mailbox { mailbox-pattern "maildir://$home/Maildir"; };
                """);
            string aliceMaildir = Path.Combine(alice.Home, "Maildir"); // made by alice's first delivery
            string carolMaildir = Path.Combine(carol.Home, "Maildir");
            Assert.That(Syscall.symlink(aliceMaildir, carolMaildir), Is.Zero);
            carol.Own(carolMaildir);

            string Transaction(int n, params SystemAccount[] to) =>
                "MAIL FROM:<s@example.org>\r\n" + string.Concat(to.Select(a => $"RCPT TO:<{a.Name}>\r\n"))
                + $"DATA\r\nSubject: t{n}\r\n\r\nbody {n}\r\n.\r\n";
            var result = ServerProcess.Run("LHLO x\r\n" + Transaction(1, alice, bob, carol) + Transaction(2, carol, bob, alice)
                + Transaction(3, bob) + Transaction(4, alice) + "QUIT\r\n", "--config-file=" + config, "--lmtp");
            var replies = result.Stdout.Split("\r\n").Where(l => Regex.IsMatch(l, "^[245][0-9][0-9] [0-9]\\.[0-9]\\.[0-9] <")).ToList();
            Assert.That(replies.Where(l => !l.Contains("Recipient OK", StringComparison.Ordinal)).ToArray(), Is.EqualTo(new[]
            {
                $"250 2.0.0 <{alice.Name}> Saved",
                $"250 2.0.0 <{bob.Name}> Saved",
                $"550 5.7.0 <{carol.Name}> Permission denied",
                $"550 5.7.0 <{carol.Name}> Permission denied",
                $"250 2.0.0 <{bob.Name}> Saved",
                $"250 2.0.0 <{alice.Name}> Saved",
                $"250 2.0.0 <{bob.Name}> Saved",
                $"250 2.0.0 <{alice.Name}> Saved",
            }), result.Stdout + result.Stderr);

            foreach (var (account, subjects) in new[] { (alice, new[] { "t1", "t2", "t4" }), (bob, new[] { "t1", "t2", "t3" }) })
            {
                var files = MaildirFiles(Path.Combine(account.Home, "Maildir"));
                Assert.That(files.Select(f => Regex.Match(File.ReadAllText(f), "Subject: (t[0-9])").Groups[1].Value).Order(),
                    Is.EqualTo(subjects), account.Name);
                Assert.That(files.Select(Owner), Is.All.EqualTo(account.Uid), account.Name);
                Assert.That(files.Select(WriterPid).Distinct().Count(), Is.EqualTo(1), account.Name + ": one worker for the connection");
            }

            Assert.That(MaildirFiles(Path.Combine(alice.Home, "Maildir")).Select(WriterPid)
                .Intersect(MaildirFiles(Path.Combine(bob.Home, "Maildir")).Select(WriterPid)), Is.Empty, "a worker per user");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A worker killed between two messages is replaced: the next message is delivered, by a new process.</summary>
    /// <remarks>Failed before the ECONNRESET case was handled: a worker still dying when the next request was sent answered 451.</remarks>
    [Test]
    public void AKilledWorkerIsReplacedForTheNextMessage()
    {
        RequireRoot();
        using var root = new DeliveryRoot("maildir");
        string socketPath = Path.Combine(root.Root, "lmtp.sock");
        root.WriteConfig($"server {socketPath} {{ protocol lmtp; }};");
        using var daemon = ServerProcess.Start("--config-file=" + root.Config, "--daemon", "--foreground");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(socketPath) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        using var stream = new NetworkStream(socket);
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.That(reader.ReadLine(), Does.StartWith("220 "));
        stream.Write("LHLO x\r\n"u8);
        while (reader.ReadLine() is { } line && line.StartsWith("250-", StringComparison.Ordinal))
        {
        }

        Assert.That(Send(stream, reader, "first"), Is.EqualTo("250 2.0.0 <vu> Saved"), daemon.Stderr);
        int first = WriterPid(MaildirFiles(Path.Combine(root.Mail, "INBOX")).Single());
        Assert.That(Syscall.kill(first, Signum.SIGKILL), Is.Zero);
        WaitUntilDead(first);

        // A worker that had not read the message is replaced at once; one that dies at the very
        // moment may leave the message in doubt, which is a 451 the client retries, as an MTA does.
        string reply = Send(stream, reader, "second");
        if (reply.StartsWith("451 ", StringComparison.Ordinal))
        {
            reply = Send(stream, reader, "second");
        }

        Assert.That(reply, Is.EqualTo("250 2.0.0 <vu> Saved"), daemon.Stderr);
        var pids = MaildirFiles(Path.Combine(root.Mail, "INBOX")).Select(WriterPid).ToList();
        Assert.That(pids, Has.Count.EqualTo(2));
        Assert.That(pids.Distinct().Count(), Is.EqualTo(2));
    }

    /// <summary>One transaction; the reply to its data (after those to MAIL, RCPT and DATA).</summary>
    private static string Send(Stream stream, StreamReader reader, string subject)
    {
        stream.Write(Encoding.ASCII.GetBytes($"MAIL FROM:<a@b>\r\nRCPT TO:<vu>\r\nDATA\r\nSubject: {subject}\r\n\r\nbody\r\n.\r\n"));
        for (int i = 0; i < 3; i++)
        {
            reader.ReadLine();
        }

        return reader.ReadLine() ?? "";
    }

    /// <summary>Until every thread of the process has ended and its descriptors are closed (it may stay a zombie).</summary>
    private static void WaitUntilDead(int pid)
    {
        string descriptors = Path.Combine("/proc", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "fd");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (Directory.GetFileSystemEntries(descriptors).Length == 0)
                {
                    return;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }

            Thread.Sleep(10);
        }

        Assert.Fail($"process {pid} did not end");
    }

    private static void RequireRoot()
    {
        if (Syscall.geteuid() != 0)
        {
            Assert.Ignore("needs root: only root delivers through worker processes");
        }
    }

    private static string[] MaildirFiles(string maildir) =>
        new[] { "new", "cur" }.Select(d => Path.Combine(maildir, d)).Where(Directory.Exists).SelectMany(Directory.GetFiles).ToArray();

    private static int WriterPid(string file) => int.Parse(Regex.Match(Path.GetFileName(file), @"^[0-9]+\.M[0-9]+P([0-9]+)").Groups[1].Value);

    private static uint Owner(string file)
    {
        Assert.That(Syscall.stat(file, out var status), Is.Zero, file);
        return status.st_uid;
    }
}
