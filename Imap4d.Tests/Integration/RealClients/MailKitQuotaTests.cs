using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>MailKit's GetQuota (GETQUOTAROOT) against the real binary on each storage format, up to [OVERQUOTA].</summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitQuotaTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void GetQuotaReportsUsageAndAppendPastTheLimitIsRefused(string type)
    {
        var daemon = StartDaemon(type, extra: "quota { storage 2M; messages 3; file-system no; }\n");
        using var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Quota), Is.True);

        var empty = client.Inbox.GetQuota();
        Assert.Multiple(() =>
        {
            Assert.That(empty.CurrentMessageCount, Is.EqualTo(0));
            Assert.That(empty.MessageLimit, Is.EqualTo(3));
            Assert.That(empty.CurrentStorageSize, Is.EqualTo(0));
            Assert.That(empty.StorageLimit, Is.EqualTo(2048));
        });

        var archive = client.GetFolder(client.PersonalNamespaces[0]).Create("Archive", isMessageFolder: true)
            ?? throw new AssertionException("CREATE Archive returned no folder");
        client.Inbox.Append(Message("one", 3000));
        archive.Append(Message("two", 10));
        var used = archive.GetQuota();
        Assert.Multiple(() =>
        {
            Assert.That(used.CurrentMessageCount, Is.EqualTo(2), "INBOX and Archive share the root \"\"");
            Assert.That(used.CurrentStorageSize, Is.InRange(3, 5), "KiB");
        });

        client.Inbox.Append(Message("three", 10));
        var refused = Assert.Throws<ImapCommandException>(() => archive.Append(Message("four", 10)));
        Assert.That(refused!.ResponseText, Does.Contain("Quota exceeded"));
        Assert.That(daemon.TranscriptWith("[OVERQUOTA]"), Does.Contain("NO [OVERQUOTA] Quota exceeded"));
        Assert.That(client.Inbox.GetQuota().CurrentMessageCount, Is.EqualTo(3));
        client.Disconnect(true);
    }

    private static MimeMessage Message(string subject, int bodyLength)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = new string('x', bodyLength) + "\n" } };
        message.From.Add(new MailboxAddress("A", "a@example.org"));
        return message;
    }
}
