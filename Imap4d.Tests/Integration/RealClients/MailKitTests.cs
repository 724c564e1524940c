using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit, the .NET IMAP client most C# mail programs use, against the real binary on each
/// storage format: login, create, append, search, flag changes and expunge, checked against the files.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void AppendSearchStoreExpungeRoundTrip(string type)
    {
        var daemon = StartDaemon(type);
        using var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");

        var folder = client.GetFolder(client.PersonalNamespaces[0]).Create("Lists", isMessageFolder: true)
            ?? throw new AssertionException("CREATE Lists returned no folder");
        for (int i = 1; i <= 5; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Sender " + i, $"s{i}@example.org"));
            message.To.Add(new MailboxAddress("Demo", "demo@example.org"));
            message.Subject = i % 2 == 0 ? $"even {i}" : $"odd {i} – ünïcode";
            message.Body = new TextPart("plain") { Text = $"Body number {i}\n" };
            folder.Append(message, i == 1 ? MessageFlags.Seen : MessageFlags.None);
        }

        folder.Open(FolderAccess.ReadWrite);
        Assert.That(folder.Count, Is.EqualTo(5));
        var odd = folder.Search(SearchQuery.SubjectContains("odd"));
        Assert.That(odd.Select(u => u.Id), Is.EqualTo(new uint[] { 1, 3, 5 }));
        var unseen = folder.Search(SearchQuery.NotSeen);
        Assert.That(unseen, Has.Count.EqualTo(4));

        folder.AddFlags(new UniqueId(2), MessageFlags.Deleted, silent: true);
        folder.Expunge();
        Assert.That(folder.Count, Is.EqualTo(4));

        var summaries = folder.Fetch(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope);
        Assert.That(summaries.Select(s => s.UniqueId.Id), Is.EqualTo(new uint[] { 1, 3, 4, 5 }));
        Assert.That(summaries[1].Envelope!.Subject, Is.EqualTo("odd 3 – ünïcode"));
        Assert.That(summaries[0].Flags!.Value.HasFlag(MessageFlags.Seen), Is.True);
        var body = folder.GetMessage(new UniqueId(4));
        Assert.That(body.TextBody, Does.Contain("Body number 4"));
        folder.Close();
        client.Disconnect(true);

        var stored = daemon.ReadMailbox("Lists");
        Assert.That(stored.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3, 4, 5 }));
        Assert.That(stored[0].Flags.Has(Imap4d.Storage.MessageFlags.Seen), Is.True);
    }
}
