using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit on LIST-EXTENDED, LIST-STATUS (GetFolders with status items), STATUS=SIZE and
/// SPECIAL-USE / CREATE-SPECIAL-USE against the real binary on each storage format; the protocol
/// log shows that MailKit used the extensions rather than falling back to one STATUS per folder.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitListStatusTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void FoldersWithStatusSizeAndSpecialUse(string type)
    {
        var daemon = StartDaemon(type);
        var log = new MemoryStream();
        using (var client = new ImapClient(new ProtocolLogger(log, leaveOpen: true)) { Timeout = 20000 })
        {
            client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
            client.Authenticate("demo", "demo");
            Assert.That(client.Capabilities.HasFlag(ImapCapabilities.ListStatus), Is.True);
            Assert.That(client.Capabilities.HasFlag(ImapCapabilities.StatusSize), Is.True);
            Assert.That(client.Capabilities.HasFlag(ImapCapabilities.CreateSpecialUse), Is.True);

            var personal = client.GetFolder(client.PersonalNamespaces[0]);
            var sent = personal.Create("Sent Mail", SpecialFolder.Sent) ?? throw new AssertionException("CREATE returned no folder");
            var work = personal.Create("Work", isMessageFolder: true) ?? throw new AssertionException("CREATE returned no folder");
            long sentBytes = 0;
            for (int i = 1; i <= 3; i++)
            {
                var message = new MimeMessage();
                message.From.Add(new MailboxAddress("Demo", "demo@example.org"));
                message.To.Add(new MailboxAddress("Friend " + i, $"f{i}@example.org"));
                message.Subject = "sent " + i;
                message.Body = new TextPart("plain") { Text = new string('x', 100 * i) + "\n" };
                sent.Append(message, i == 1 ? MessageFlags.Seen : MessageFlags.None);
            }

            sent.Open(FolderAccess.ReadOnly);
            sentBytes = sent.Fetch(0, -1, MessageSummaryItems.Size).Sum(s => (long)s.Size!.Value);
            sent.Close();
            var note = new MimeMessage { Subject = "w", Body = new TextPart("plain") { Text = "work\n" } };
            note.From.Add(new MailboxAddress("A", "a@example.org"));
            work.Append(note);

            // LIST-STATUS: the folders come back with their counts and sizes in one command.
            var folders = personal.GetSubfolders(StatusItems.Count | StatusItems.Unread | StatusItems.Size | StatusItems.UidNext);
            var listedSent = folders.Single(f => f.Name == "Sent Mail");
            Assert.That(listedSent.Count, Is.EqualTo(3));
            Assert.That(listedSent.Unread, Is.EqualTo(2));
            Assert.That(listedSent.Size, Is.EqualTo((ulong)sentBytes));
            Assert.That(listedSent.UidNext?.Id, Is.EqualTo(4));
            Assert.That(listedSent.Attributes.HasFlag(FolderAttributes.Sent), Is.True);
            var listedWork = folders.Single(f => f.Name == "Work");
            Assert.That(listedWork.Count, Is.EqualTo(1));
            Assert.That(listedWork.Attributes & FolderAttributes.Sent, Is.EqualTo(FolderAttributes.None));

            // STATUS=SIZE on its own.
            work.Status(StatusItems.Size | StatusItems.Count);
            Assert.That(work.Count, Is.EqualTo(1));
            Assert.That(work.Size, Is.GreaterThan(0UL));

            // SPECIAL-USE: a new connection finds the Sent folder by its use.
            client.Disconnect(true);
        }

        using (var client = new ImapClient { Timeout = 20000 })
        {
            client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
            client.Authenticate("demo", "demo");
            var found = client.GetFolder(SpecialFolder.Sent);
            Assert.That(found?.FullName, Is.EqualTo("Sent Mail"));
            Assert.That(client.GetFolder(SpecialFolder.Trash), Is.Null);
            client.Disconnect(true);
        }

        string protocol = System.Text.Encoding.UTF8.GetString(log.ToArray());
        Assert.That(protocol, Does.Contain("RETURN (").And.Contain("STATUS ("), protocol);
        Assert.That(protocol, Does.Contain("(USE (\\Sent))"), protocol);
    }
}
