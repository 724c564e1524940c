using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit's ESEARCH (RFC 4731) and PARTIAL (RFC 9394) paths against the real binary on each
/// storage format: COUNT, MIN, MAX and ALL in one answer, the oldest and newest results of a
/// search, and UID FETCH of the newest messages of a set (also after CHANGEDSINCE and after an
/// expunge), checked against what the test stored.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitSearchTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void EsearchAndPartialResults(string type)
    {
        var daemon = StartDaemon(type);
        using var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.ESearch), Is.True);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.Partial), Is.True);
        var folder = client.GetFolder(client.PersonalNamespaces[0]).Create("Find", isMessageFolder: true)
            ?? throw new AssertionException("CREATE returned no folder");
        for (int i = 1; i <= 8; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Sender", $"s{i}@example.org"));
            message.Subject = $"message {i}";
            message.Body = new TextPart("plain") { Text = $"Body {i}\n" };
            folder.Append(message, MessageFlags.None);
        }

        folder.Open(FolderAccess.ReadWrite);
        ulong before = folder.Fetch(0, -1, MessageSummaryItems.ModSeq).Max(m => m.ModSeq!.Value);
        folder.AddFlags([new UniqueId(2), new UniqueId(5), new UniqueId(7)], MessageFlags.Flagged, silent: true);

        var flagged = folder.Search(SearchOptions.Count | SearchOptions.Min | SearchOptions.Max | SearchOptions.All, SearchQuery.Flagged);
        Assert.That(flagged.Count, Is.EqualTo(3));
        Assert.That(flagged.Min?.Id, Is.EqualTo(2));
        Assert.That(flagged.Max?.Id, Is.EqualTo(7));
        Assert.That(Ids(flagged.UniqueIds), Is.EqualTo(new uint[] { 2, 5, 7 }));
        Assert.That(folder.Search(SearchOptions.Count, SearchQuery.NotFlagged).Count, Is.EqualTo(5));

        var newest = folder.Search(SearchOptions.None, SearchQuery.All, new PartialRange(-1, -3));
        Assert.That(Ids(newest.UniqueIds), Is.EqualTo(new uint[] { 6, 7, 8 }));
        Assert.That(newest.Partial, Is.Not.Null);
        Assert.That(Ids(folder.Search(SearchOptions.None, SearchQuery.NotFlagged, new PartialRange(1, 2)).UniqueIds), Is.EqualTo(new uint[] { 1, 3 }));
        Assert.That(folder.Search(SearchOptions.None, SearchQuery.All, new PartialRange(9, 20)).UniqueIds, Is.Empty);

        var last = folder.Fetch(UniqueIdRange.All, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags) { PartialRange = new PartialRange(-1, -3) });
        Assert.That(Ids(last.Select(m => m.UniqueId)), Is.EqualTo(new uint[] { 6, 7, 8 }));
        var lastChanged = folder.Fetch(UniqueIdRange.All, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags)
        {
            ChangedSince = before,
            PartialRange = new PartialRange(-1, -1),
        });
        Assert.That(Ids(lastChanged.Select(m => m.UniqueId)), Is.EqualTo(new uint[] { 7 }), "the newest of the changed ones");
        Assert.That(lastChanged[0].Flags!.Value.HasFlag(MessageFlags.Flagged), Is.True);

        // Positions count the messages that are there: after an expunge the newest two are 6 and 7.
        folder.AddFlags(new UniqueId(8), MessageFlags.Deleted, silent: true);
        folder.Expunge();
        var afterExpunge = folder.Fetch(UniqueIdRange.All, new FetchRequest(MessageSummaryItems.UniqueId) { PartialRange = new PartialRange(-1, -2) });
        Assert.That(Ids(afterExpunge.Select(m => m.UniqueId)), Is.EqualTo(new uint[] { 6, 7 }));
        client.Disconnect(true);
    }

    private static uint[] Ids(IEnumerable<UniqueId> uids) => uids.Select(u => u.Id).Order().ToArray();
}
