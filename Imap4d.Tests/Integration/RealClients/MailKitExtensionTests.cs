using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit against the real daemon (its per-user session process) on each storage format, using
/// the extensions modern clients ask for: MULTIAPPEND, COMPRESS=DEFLATE (with IDLE through it),
/// BINARY, REPLACE and UTF-8 folder names.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitExtensionTests : RealClientTest
{
    private static MimeMessage NewMessage(int i, string? attachment = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sender " + i, $"s{i}@example.org"));
        message.To.Add(new MailboxAddress("Demo", "demo@example.org"));
        message.Subject = $"message {i}";
        var text = new TextPart("plain") { Text = $"Body number {i}\n" };
        if (attachment is null)
        {
            message.Body = text;
        }
        else
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(attachment);
            var part = new MimePart("application", "octet-stream")
            {
                Content = new MimeContent(new MemoryStream(bytes)),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = "a.bin",
            };
            message.Body = new Multipart("mixed") { text, part };
        }

        return message;
    }

    private static ImapClient Connect(ClientDaemon daemon)
    {
        var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");
        return client;
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void MultiAppendStoresEveryMessageInOneCommand(string type)
    {
        var daemon = StartDaemon(type);
        using var client = Connect(daemon);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.MultiAppend), Is.True);
        var folder = client.GetFolder(client.PersonalNamespaces[0]).Create("Batch", isMessageFolder: true)!;
        var requests = Enumerable.Range(1, 20)
            .Select(i => (IAppendRequest)new AppendRequest(NewMessage(i), i % 2 == 0 ? MessageFlags.Seen : MessageFlags.None))
            .ToList();
        var uids = folder.Append(requests);
        Assert.That(uids.Select(u => u.Id), Is.EqualTo(Enumerable.Range(1, 20).Select(i => (uint)i)));
        folder.Open(FolderAccess.ReadOnly);
        Assert.That(folder.Count, Is.EqualTo(20));
        var summaries = folder.Fetch(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags);
        Assert.That(summaries.Select(s => s.Envelope!.Subject), Is.EqualTo(Enumerable.Range(1, 20).Select(i => $"message {i}")));
        Assert.That(summaries[1].Flags!.Value.HasFlag(MessageFlags.Seen), Is.True);
        client.Disconnect(true);
        Assert.That(() => daemon.Transcript, Does.Contain("APPEND Batch").After(5000, 50)); // the daemon's log is read asynchronously
        Assert.That(daemon.ReadMailbox("Batch"), Has.Count.EqualTo(20));
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void ReplaceSwapsADraftForItsNewVersion(string type)
    {
        var daemon = StartDaemon(type);
        using var client = Connect(daemon);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Replace), Is.True);
        var drafts = client.GetFolder(client.PersonalNamespaces[0]).Create("Drafts", isMessageFolder: true)!;
        drafts.Append(NewMessage(1), MessageFlags.Draft);
        var first = drafts.Append(NewMessage(2), MessageFlags.Draft)!.Value;
        drafts.Open(FolderAccess.ReadWrite);
        var second = drafts.Replace(first, NewMessage(3), MessageFlags.Draft | MessageFlags.Seen);
        Assert.That(second?.Id, Is.EqualTo(3u));
        Assert.That(drafts.Count, Is.EqualTo(2));
        var summaries = drafts.Fetch(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope);
        Assert.That(summaries.Select(s => s.Envelope!.Subject), Is.EqualTo(new[] { "message 1", "message 3" }));
        client.Disconnect(true);
        Assert.That(() => daemon.Transcript, Does.Contain("UID REPLACE 2 Drafts").After(5000, 50)); // the daemon's log is read asynchronously
        Assert.That(daemon.ReadMailbox("Drafts").Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void Utf8FolderNamesWithAndWithoutUtf8Accept(string type)
    {
        const string Name = "Entwürfe ✓";
        var daemon = StartDaemon(type);
        using (var client = Connect(daemon))
        {
            Assert.That(client.Capabilities.HasFlag(ImapCapabilities.UTF8Accept), Is.True);
            client.EnableUTF8();
            var folder = client.GetFolder(client.PersonalNamespaces[0]).Create(Name, isMessageFolder: true)!;
            folder.Append(NewMessage(1));
            var listed = client.GetFolder(client.PersonalNamespaces[0]).GetSubfolders().Select(f => f.Name).ToList();
            Assert.That(listed, Does.Contain(Name));
            client.Disconnect(true);
        }

        Assert.That(() => daemon.Transcript, Does.Contain("ENABLE UTF8=ACCEPT").After(5000, 50)); // the daemon's log is read asynchronously

        // A client that did not enable it sees the same folder through modified UTF-7.
        using var plain = Connect(daemon);
        var same = plain.GetFolder(Name);
        same.Open(FolderAccess.ReadOnly);
        Assert.That(same.Count, Is.EqualTo(1));
        plain.Disconnect(true);
        Assert.That(() => daemon.Transcript, Does.Contain("Entw&APw-rfe &JxM-").After(5000, 50)); // the daemon's log is read asynchronously
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void CompressedSessionFetchesAppendsAndIdles(string type)
    {
        var daemon = StartDaemon(type);
        using var client = Connect(daemon);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Compress), Is.True);
        client.Compress();
        var inbox = client.Inbox;
        var big = string.Concat(Enumerable.Repeat("compressible text ", 20000));
        for (int i = 1; i <= 3; i++)
        {
            inbox.Append(NewMessage(i, i == 2 ? big : null));
        }

        inbox.Open(FolderAccess.ReadWrite);
        Assert.That(inbox.Count, Is.EqualTo(3));
        var message = inbox.GetMessage(1);
        Assert.That(((MimePart)message.Attachments.Single()).Content!.Open().ReadToEndText(), Is.EqualTo(big));

        // IDLE through the compressor: the EXISTS another connection causes arrives while idling.
        using var done = new CancellationTokenSource();
        int arrived = 0;
        inbox.CountChanged += (_, _) =>
        {
            arrived = inbox.Count;
            done.Cancel();
        };
        var idle = client.IdleAsync(done.Token);
        using (var other = Connect(daemon))
        {
            other.Inbox.Append(NewMessage(4));
            other.Disconnect(true);
        }

        Assert.That(idle.Wait(TimeSpan.FromSeconds(15)), Is.True, "IDLE did not see the new message");
        Assert.That(arrived, Is.EqualTo(4));
        client.Disconnect(true);
        Assert.That(() => daemon.Transcript, Does.Contain("COMPRESS DEFLATE").After(5000, 50)); // the daemon's log is read asynchronously
    }
}

/// <summary>Reads a stream to its end as UTF-8.</summary>
internal static class StreamText
{
    public static string ReadToEndText(this Stream stream)
    {
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
