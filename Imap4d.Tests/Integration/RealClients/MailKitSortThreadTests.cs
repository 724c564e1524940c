using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit's Sort, Sort with ESORT options and Thread against the real binary on each storage
/// format: "Lunch" (1) with replies 2 and 4, and "Budget" (3), the oldest.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitSortThreadTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void SortAndThread(string type)
    {
        var daemon = StartDaemon(type);
        using var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Sort), Is.True);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.ESort), Is.True);
        Assert.That(client.ThreadingAlgorithms, Does.Contain(ThreadingAlgorithm.References).And.Contain(ThreadingAlgorithm.OrderedSubject));

        var folder = client.GetFolder(client.PersonalNamespaces[0]).Create("Threads", isMessageFolder: true)
            ?? throw new AssertionException("CREATE Threads returned no folder");
        Append(folder, "alice", "Lunch", 2, "a@x");
        Append(folder, "carol", "Re: Lunch", 3, "b@x", "a@x");
        Append(folder, "bob", "Budget", 1, "c@x");
        Append(folder, "dave", "Re: Re: Lunch", 4, "d@x", "a@x", "b@x");

        folder.Open(FolderAccess.ReadOnly);
        uint[] Ids(IList<UniqueId> uids) => uids.Select(u => u.Id).ToArray();
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.Arrival])), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.Date])), Is.EqualTo(new uint[] { 3, 1, 2, 4 }));
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.ReverseDate])), Is.EqualTo(new uint[] { 4, 2, 1, 3 }));
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.From])), Is.EqualTo(new uint[] { 1, 3, 2, 4 }));
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.DisplayFrom])), Is.EqualTo(new uint[] { 1, 3, 2, 4 }));
        Assert.That(Ids(folder.Sort(SearchQuery.All, [OrderBy.ReverseSubject, OrderBy.ReverseDate])), Is.EqualTo(new uint[] { 4, 2, 1, 3 }));
        Assert.That(Ids(folder.Sort(SearchQuery.SubjectContains("lunch"), [OrderBy.Date])), Is.EqualTo(new uint[] { 1, 2, 4 }));

        var esort = folder.Sort(SearchOptions.All | SearchOptions.Count, SearchQuery.All, [OrderBy.Date]);
        Assert.That(Ids(esort.UniqueIds), Is.EqualTo(new uint[] { 3, 1, 2, 4 }));
        Assert.That(esort.Count, Is.EqualTo(4));

        var threads = folder.Thread(ThreadingAlgorithm.References, SearchQuery.All);
        Assert.That(threads, Has.Count.EqualTo(2));
        Assert.That(threads[0].UniqueId?.Id, Is.EqualTo(3u));
        Assert.That(threads[1].UniqueId?.Id, Is.EqualTo(1u));
        Assert.That(threads[1].Children.Single().UniqueId?.Id, Is.EqualTo(2u));
        Assert.That(threads[1].Children.Single().Children.Single().UniqueId?.Id, Is.EqualTo(4u));

        var bySubject = folder.Thread(ThreadingAlgorithm.OrderedSubject, SearchQuery.All);
        Assert.That(bySubject.Select(t => t.UniqueId?.Id), Is.EqualTo(new uint?[] { 3, 1 }));
        Assert.That(bySubject[1].Children.Select(t => t.UniqueId?.Id), Is.EqualTo(new uint?[] { 2, 4 }));
        client.Disconnect(true);
    }

    private static void Append(IMailFolder folder, string from, string subject, int day, string id, params string[] references)
    {
        var message = new MimeMessage
        {
            Subject = subject,
            Date = new DateTimeOffset(2026, 11, day, 10, 0, 0, TimeSpan.Zero),
            MessageId = id,
            Body = new TextPart("plain") { Text = subject + "\n" },
        };
        message.From.Add(new MailboxAddress(char.ToUpperInvariant(from[0]) + from[1..], from + "@example.org"));
        message.To.Add(new MailboxAddress("Demo", "demo@example.org"));
        if (references.Length > 0)
        {
            message.InReplyTo = references[^1];
            foreach (string reference in references)
            {
                message.References.Add(reference);
            }
        }

        folder.Append(message, MessageFlags.None, new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero));
    }
}
