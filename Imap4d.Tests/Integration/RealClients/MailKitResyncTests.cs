using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// MailKit's CONDSTORE and QRESYNC paths (RFC 7162) against the real binary on each storage format:
/// FETCH with MODSEQ and CHANGEDSINCE, STORE with UNCHANGEDSINCE, and a QRESYNC resynchronisation
/// (folder.Open with UIDVALIDITY, HIGHESTMODSEQ and known UIDs) after another session and another
/// program changed the mailbox in between, checked against exactly what they did.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MailKitResyncTests : RealClientTest
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void CondstoreFetchAndConditionalStore(string type)
    {
        var daemon = StartDaemon(type);
        using var client = Connect(daemon);
        Assert.That(client.Capabilities.HasFlag(ImapCapabilities.CondStore), Is.True);
        var folder = CreateWithMessages(client, "Cond", 4);
        folder.Open(FolderAccess.ReadWrite);
        ulong highest = folder.HighestModSeq;
        Assert.That(highest, Is.GreaterThan(0UL), "HIGHESTMODSEQ on SELECT");

        var all = folder.Fetch(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq);
        Assert.That(all.Select(m => m.UniqueId.Id), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(all.All(m => m.ModSeq is > 0 && m.ModSeq <= highest), Is.True, "every MODSEQ within HIGHESTMODSEQ");

        // A store into an unchanged message succeeds and takes a MODSEQ above every earlier one.
        var modified = folder.Store([new UniqueId(2)], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Flagged)
        {
            Silent = true,
            UnchangedSince = all[1].ModSeq!.Value,
        });
        Assert.That(modified, Is.Empty);
        var after = folder.Fetch([new UniqueId(2)], MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq);
        Assert.That(after[0].Flags!.Value.HasFlag(MessageFlags.Flagged), Is.True);
        Assert.That(after[0].ModSeq, Is.GreaterThan(highest));

        // Unchanged since the SELECT's HIGHESTMODSEQ: message 2 changed since, so it is reported MODIFIED and left alone.
        modified = folder.Store([new UniqueId(2), new UniqueId(3)], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Answered)
        {
            Silent = true,
            UnchangedSince = highest,
        });
        Assert.That(modified.Select(u => u.Id), Is.EqualTo(new uint[] { 2 }));

        // CHANGEDSINCE the SELECT's HIGHESTMODSEQ: exactly the two messages changed since.
        var changed = folder.Fetch(0, -1, new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags) { ChangedSince = highest });
        Assert.That(changed.Select(m => m.UniqueId.Id).Order(), Is.EqualTo(new uint[] { 2, 3 }));
        var flags = changed.ToDictionary(m => m.UniqueId.Id, m => m.Flags!.Value);
        Assert.That(flags[2].HasFlag(MessageFlags.Answered), Is.False);
        Assert.That(flags[3].HasFlag(MessageFlags.Answered), Is.True);
        folder.Close();
        client.Disconnect(true);

        // The MODSEQs were kept: a new session sees the same HIGHESTMODSEQ and per-message values.
        using var again = Connect(daemon);
        var reopened = again.GetFolder("Cond");
        reopened.Open(FolderAccess.ReadOnly);
        var kept = reopened.Fetch(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.ModSeq);
        Assert.That(reopened.HighestModSeq, Is.GreaterThanOrEqualTo(kept.Max(m => m.ModSeq!.Value)));
        Assert.That(kept.Single(m => m.UniqueId.Id == 3).ModSeq, Is.EqualTo(changed.Single(m => m.UniqueId.Id == 3).ModSeq));
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void QresyncAfterAnotherSessionAndAnotherProgram(string type)
    {
        var daemon = StartDaemon(type);
        uint validity;
        ulong highest;
        IList<UniqueId> known;
        using (var client = Connect(daemon))
        {
            Assert.That(client.Capabilities.HasFlag(ImapCapabilities.QuickResync), Is.True);
            client.EnableQuickResync();
            var folder = CreateWithMessages(client, "Sync", 6);
            folder.Open(FolderAccess.ReadWrite);
            validity = folder.UidValidity;
            highest = folder.HighestModSeq;
            known = folder.Fetch(0, -1, MessageSummaryItems.UniqueId).Select(m => m.UniqueId).ToList();
            client.Disconnect(true);
        }

        // Another session: \Seen on 2, 3 expunged.
        using (var other = Connect(daemon))
        {
            var folder = other.GetFolder("Sync");
            folder.Open(FolderAccess.ReadWrite);
            folder.AddFlags(new UniqueId(2), MessageFlags.Seen, silent: true);
            folder.AddFlags(new UniqueId(3), MessageFlags.Deleted, silent: true);
            folder.Expunge();
            other.Disconnect(true);
        }

        // Another program, as its format allows.
        var expectVanished = new List<uint> { 3 };
        var expectChanged = new Dictionary<uint, MessageFlags> { [2] = MessageFlags.Seen };
        uint expectCount = 5;
        string dir = Path.Combine(daemon.Mail, "Sync");
        Thread.Sleep(1100); // a second writer in a later second: no timestamp can hide it
        switch (type)
        {
            case "maildir":
                // mutt flags message 4 \Flagged by renaming its file; an rm deletes message 5.
                string four = Directory.GetFiles(Path.Combine(dir, "cur")).Single(f => f.Contains(",u=4:2,"));
                File.Move(four, four + "F");
                File.Delete(Directory.GetFiles(Path.Combine(dir, "cur")).Single(f => f.Contains(",u=5:2,")));
                expectChanged[4] = MessageFlags.Flagged;
                expectVanished.Add(5);
                expectCount = 4;
                break;
            case "mh":
                // rmm-like: message 5's file goes; a new file 7 arrives.
                File.Delete(Path.Combine(dir, "5"));
                File.WriteAllText(Path.Combine(dir, "7"), "From: mda@example.org\nSubject: delivered\n\nby hand\n");
                expectVanished.Add(5);
                break;
            case "mbox":
                // An MDA appends a message with its From line.
                File.AppendAllText(dir, "From mda@example.org Mon Dec  7 08:00:00 2026\nFrom: mda@example.org\nSubject: delivered\n\nby hand\n\n");
                expectCount = 6;
                break;
        }

        using (var client = Connect(daemon))
        {
            client.EnableQuickResync();
            var folder = client.GetFolder("Sync");
            var vanished = new List<uint>();
            var changedFlags = new Dictionary<uint, MessageFlags>();
            folder.MessagesVanished += (_, e) => vanished.AddRange(e.UniqueIds.Select(u => u.Id));
            folder.MessageFlagsChanged += (_, e) => changedFlags[e.UniqueId!.Value.Id] = e.Flags;
            folder.Open(FolderAccess.ReadWrite, validity, highest, known);
            Assert.That(vanished.Order(), Is.EqualTo(expectVanished), "VANISHED (EARLIER)");
            Assert.That(changedFlags.Keys.Order(), Is.EqualTo(expectChanged.Keys.Order()), "FETCH of changed flags");
            foreach (var (uid, flag) in expectChanged)
            {
                Assert.That(changedFlags[uid].HasFlag(flag), Is.True, $"UID {uid} has {flag}");
            }

            Assert.That(folder.Count, Is.EqualTo(expectCount));
            Assert.That(folder.HighestModSeq, Is.GreaterThan(highest));

            // And now nothing changed: the same QRESYNC reports nothing.
            ulong now = folder.HighestModSeq;
            var uidsNow = folder.Fetch(0, -1, MessageSummaryItems.UniqueId).Select(m => m.UniqueId).ToList();
            folder.Close();
            vanished.Clear();
            changedFlags.Clear();
            folder.Open(FolderAccess.ReadOnly, validity, now, uidsNow);
            Assert.That(vanished, Is.Empty);
            Assert.That(changedFlags, Is.Empty);
            Assert.That(folder.HighestModSeq, Is.EqualTo(now));
        }
    }

    private static ImapClient Connect(ClientDaemon daemon)
    {
        var client = new ImapClient { Timeout = 20000 };
        client.Connect("127.0.0.1", daemon.Port, MailKit.Security.SecureSocketOptions.None);
        client.Authenticate("demo", "demo");
        return client;
    }

    private static IMailFolder CreateWithMessages(ImapClient client, string name, int count)
    {
        var folder = client.GetFolder(client.PersonalNamespaces[0]).Create(name, isMessageFolder: true)
            ?? throw new AssertionException("CREATE returned no folder");
        for (int i = 1; i <= count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Sender", $"s{i}@example.org"));
            message.Subject = $"message {i}";
            message.Body = new TextPart("plain") { Text = $"Body {i}\n" };
            folder.Append(message, MessageFlags.None);
        }

        return folder;
    }
}
