using System.Text.RegularExpressions;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Delivery;

/// <summary>
/// `imap4d --deliver`, the executable as an MTA runs it: into INBOX and folders of each
/// format, as the virtual user (switched to when root), with a sysexits status for each failure.
/// </summary>
[Category("Integration")]
public class DeliverCommandTests
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void DeliversIntoInboxWithReturnPath(string type)
    {
        using var root = new DeliveryRoot(type);
        var result = root.Deliver("From bounce@example.org Mon Dec  7 10:00:00 2026\n" + DeliveryRoot.Message("first"), "-f", "envelope@example.org", DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        result = root.Deliver(DeliveryRoot.Message("second"), DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);

        var messages = root.Messages();
        Assert.That(messages, Has.Count.EqualTo(2));
        Assert.That(messages[0], Does.StartWith("Return-Path: <envelope@example.org>\n").Or.Contain("\nReturn-Path: <envelope@example.org>\n"));
        Assert.That(messages[0], Does.Contain("Subject: first").And.Not.Contain("bounce@example.org"));
        Assert.That(messages[1], Does.Contain("Subject: second").And.Not.Contain("Return-Path"));
        AssertOwnedByUser(root, Path.Combine(root.Mail, "INBOX"));
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void DeliversIntoANamedFolderCreatingIt(string type)
    {
        using var root = new DeliveryRoot(type);
        var result = root.Deliver(DeliveryRoot.Message("to work"), "-m", "Work", DeliveryRoot.User);
        Assert.That(result.Code, Is.Zero, result.Stderr);
        Assert.That(root.Messages("Work").Single(), Does.Contain("Subject: to work"));
        Assert.That(root.Messages(), Is.Empty);
    }

    [Test]
    public void UnknownUserIs67AndTheOthersStillGetIt()
    {
        using var root = new DeliveryRoot("maildir");
        var result = root.Deliver(DeliveryRoot.Message("partly"), "nosuchuser", DeliveryRoot.User);
        Assert.That(result.Code, Is.EqualTo(67), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("nosuchuser: user unknown"));
        Assert.That(root.Messages(), Has.Count.EqualTo(1));
    }

    [Test]
    public void EmptyMessageIs65()
    {
        using var root = new DeliveryRoot("mbox");
        Assert.That(root.Deliver("", DeliveryRoot.User).Code, Is.EqualTo(65));
        Assert.That(root.Messages(), Is.Empty);
    }

    [Test]
    public void MessageOverTheSizeLimitIs65()
    {
        using var root = new DeliveryRoot("mbox", "limits { max-append-size 1000; };");
        var result = root.Deliver(DeliveryRoot.Message("big", new string('x', 5000) + "\n"), DeliveryRoot.User);
        Assert.That(result.Code, Is.EqualTo(65), result.Stderr);
        Assert.That(root.Messages(), Is.Empty);
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    public void UnwritableMailDirectoryIs77(string type)
    {
        using var root = new DeliveryRoot(type);
        Syscall.chmod(root.Mail, (FilePermissions)0x16d); // 0555: the user cannot make INBOX
        var result = root.Deliver(DeliveryRoot.Message("denied"), DeliveryRoot.User);
        Assert.That(result.Code, Is.EqualTo(77), result.Stderr);
    }

    [Test]
    public void MailboxPathThroughAFileIs73()
    {
        using var root = new DeliveryRoot("maildir");
        File.WriteAllText(Path.Combine(root.Mail, "plain"), "not a directory");
        root.WriteConfig($"mailbox {{ mailbox-pattern \"maildir://{root.Mail}/plain/INBOX\"; }};");
        var result = root.Deliver(DeliveryRoot.Message("nowhere"), DeliveryRoot.User);
        Assert.That(result.Code, Is.EqualTo(73).Or.EqualTo(75), result.Stderr);
    }

    [Test]
    public void NoRecipientIsAUsageError()
    {
        using var root = new DeliveryRoot("mbox");
        Assert.That(root.Deliver(DeliveryRoot.Message("x")).Code, Is.EqualTo(64));
    }

    [Test]
    public void OperandsWithoutDeliverAreStillRefused()
    {
        var result = ServerProcess.Run("", "--no-config", "someone");
        Assert.That(result.ExitCode, Is.EqualTo(64));
        Assert.That(result.Stderr, Does.Contain("extra operand 'someone'"));
    }

    /// <summary>As root, a virtual user without a uid cannot be switched to: the MTA must keep the mail (75), not bounce it.</summary>
    [Test]
    public void RootWithoutAUidForTheUserIs75()
    {
        if (Syscall.geteuid() != 0)
        {
            Assert.Ignore("needs root");
        }

        using var root = new DeliveryRoot("mbox");
        File.WriteAllText(Path.Combine(root.Root, "users"), $"{DeliveryRoot.User}:x:::{root.Home}:/bin/false\n");
        var result = root.Deliver(DeliveryRoot.Message("wait"), DeliveryRoot.User);
        Assert.That(result.Code, Is.EqualTo(75), result.Stderr);
    }

    /// <summary>Root delivering to two system users: each copy is written by its own user, in its own spool.</summary>
    [Test]
    public void RootDeliversToSeveralSystemUsersEachAsItself()
    {
        SystemAccount.RequireRootTools();
        using var alice = SystemAccount.Create("da", "pw1");
        using var bob = SystemAccount.Create("db", "pw2");
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-deliver-sys-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string config = Path.Combine(dir, "imap4d.conf");
            File.WriteAllText(config, """
                logging { syslog no; };
                mailbox { mailbox-pattern "maildir://$home/Maildir"; };
                """);
            var result = ServerProcess.Run(DeliveryRoot.Message("for both"), "--config-file=" + config, "--deliver", "-f", "x@example.org", alice.Name, bob.Name);
            Assert.That(result.ExitCode, Is.Zero, result.Stderr);
            foreach (var account in new[] { alice, bob })
            {
                var files = Directory.GetFiles(Path.Combine(account.Home, "Maildir", "cur"));
                Assert.That(files, Has.Length.EqualTo(1), account.Name);
                Assert.That(File.ReadAllText(files[0]), Does.Contain("Subject: for both"));
                Assert.That(Syscall.stat(files[0], out var status), Is.Zero);
                Assert.That(status.st_uid, Is.EqualTo(account.Uid), account.Name);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A session that has INBOX selected sees the delivered message at its next NOOP, with the next UID.</summary>
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void SelectedSessionSeesTheDelivery(string type)
    {
        using var root = new DeliveryRoot(type);
        Assert.That(root.Deliver(DeliveryRoot.Message("before"), DeliveryRoot.User).Code, Is.Zero);
        using var session = ServerProcess.Start("--test", "--config-file=" + root.Config);
        var output = session.Process.StandardOutput;
        var input = session.Process.StandardInput;
        Assert.That(output.ReadLine(), Does.StartWith("* OK"));
        input.Write($"a LOGIN {DeliveryRoot.User} {DeliveryRoot.Password}\r\nb SELECT INBOX\r\n");
        input.Flush();
        ReadUntil(output, "b ");
        Assert.That(root.Deliver(DeliveryRoot.Message("after"), DeliveryRoot.User).Code, Is.Zero);
        input.Write("c NOOP\r\nd UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\ne LOGOUT\r\n");
        input.Flush();
        string noop = ReadUntil(output, "c ");
        Assert.That(noop, Does.Contain("* 2 EXISTS"), noop);
        string fetch = ReadUntil(output, "d ");
        Assert.That(Regex.Matches(fetch, @"\* (\d) FETCH \(UID (\d)").Select(m => m.Groups[1].Value + "=" + m.Groups[2].Value),
            Is.EqualTo(new[] { "1=1", "2=2" }), fetch);
        Assert.That(fetch, Does.Contain("Subject: after"));
    }

    internal static string ReadUntil(StreamReader output, string tagPrefix)
    {
        var text = new System.Text.StringBuilder();
        string? line;
        while ((line = output.ReadLine()) is not null)
        {
            text.AppendLine(line);
            if (line.StartsWith(tagPrefix, StringComparison.Ordinal))
            {
                break;
            }
        }

        return text.ToString();
    }

    private static void AssertOwnedByUser(DeliveryRoot root, string path)
    {
        Assert.That(Syscall.stat(path, out var status), Is.Zero);
        Assert.That(status.st_uid, Is.EqualTo(root.Uid), "the delivery ran as the user");
    }
}
