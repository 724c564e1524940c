using System.Text;
using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>Namespaces, type detection, CREATE/DELETE/RENAME/LIST/STATUS and subscriptions on real files.</summary>
[TestFixture("maildir")]
[TestFixture("mh")]
[TestFixture("mbox")]
public class MailStoreTests(string type)
{
    private string _root = null!;
    private string _home = null!;
    private MailStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        if (MailDrivers.CreateDefault().All(d => d.Type != type))
        {
            Assert.Ignore($"no {type} driver in this build");
        }

        _root = Path.Combine(Path.GetTempPath(), "imap4d-store-" + Guid.NewGuid().ToString("N"));
        _home = Path.Combine(_root, "home", "demo");
        Directory.CreateDirectory(Path.Combine(_home, "mail"));
        Directory.CreateDirectory(Path.Combine(_root, "home", "joe", "mail"));
        Directory.CreateDirectory(Path.Combine(_root, "shared"));
        _store = NewStore();
    }

    [TearDown]
    public void TearDown()
    {
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", type, null)],
                [new NamespacePrefix(NamespaceKind.Other, "~", '/', "$home/mail", type, null)],
                [new NamespacePrefix(NamespaceKind.Shared, "#shared/", '/', _root + "/shared", type, null)]),
            Mailbox = new MailboxSettings { MailboxPattern = type + "://$home/mail/INBOX" },
            SpecialUse = new Dictionary<string, string> { ["Sent"] = @"\Sent" },
        };
        string joeHome = Path.Combine(_root, "home", "joe");
        return new MailStore(settings, "demo", _home, MailDrivers.CreateDefault(), u => u == "joe" ? joeHome : null);
    }

    private static byte[] Message(string subject) => Encoding.ASCII.GetBytes($"Subject: {subject}\r\n\r\nbody\r\n");

    /// <summary>
    /// Several sessions of the user (one process or several) open INBOX while it does not exist
    /// yet: every one gets it, none sees the half-made folder (a maildir or MH directory before its
    /// subdirectories or .mh_sequences) as "cannot be selected" or "does not exist".
    /// </summary>
    [Test]
    public void SessionsOpeningAMissingInboxAtOnceAllGetIt()
    {
        for (int round = 0; round < 20; round++)
        {
            string inbox = Path.Combine(_home, "mail", "INBOX");
            if (Directory.Exists(inbox))
            {
                Directory.Delete(inbox, recursive: true);
            }

            File.Delete(inbox);
            var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();
            using var start = new Barrier(stores.Count);
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            var threads = stores.Select(store => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    using var box = store.Open("INBOX", readOnly: false);
                }
                catch (StorageException e)
                {
                    failures.Add($"round {round}: {e.Error} {e.Message}");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.That(failures, Is.Empty);
        }
    }

    private void Append(string mailbox, string subject)
    {
        using var box = _store.Open(mailbox, readOnly: true);
        box.Append(new MemoryStream(Message(subject)), FlagSet.Empty, DateTimeOffset.Now);
    }

    /// <summary>Names listed; the shared namespace's root (listed as \Noselect) is left out unless asked for.</summary>
    private List<string> ListNames(string reference, string pattern) =>
        _store.List(reference, pattern).Select(i => i.Name).Where(n => n != "#shared" || pattern.StartsWith('#')).ToList();

    /// <summary>Issue 11 (GNU imap4d 3.15): a namespace prefix is not listed as an extra \Noselect folder.</summary>
    [Test]
    public void NamespacePrefixesAreNotListedAsFolders()
    {
        Assert.That(_store.List("", "*").Select(i => i.Name), Does.Not.Contain("#shared"));
        Assert.That(_store.List("#shared/", "*").Select(i => i.Name), Does.Not.Contain("#shared").And.Not.Contain("#shared/"));
    }

    [Test]
    public void InboxIsCreatedOnFirstUseWithTheConfiguredType()
    {
        using (var inbox = _store.Open("inbox", readOnly: false))
        {
            Assert.That(inbox.Messages, Is.Empty);
        }

        var driver = MailDrivers.CreateDefault().First(d => d.Type == type);
        Assert.That(driver.Detect(Path.Combine(_home, "mail", "INBOX")), Is.True);
    }

    /// <summary>
    /// A session killed while making an INBOX (maildir: after the directory and cur/, before tmp/;
    /// MH: after the mkdir, before .mh_sequences) must not leave INBOX unselectable for ever: the
    /// next use finishes it (found by the crash test).
    /// </summary>
    [Test]
    public void AnInboxLeftHalfMadeByAKilledSessionIsFinishedOnNextUse()
    {
        string inbox = Path.Combine(_home, "mail", "INBOX");
        switch (type)
        {
            case "maildir":
                Directory.CreateDirectory(Path.Combine(inbox, "cur"));
                break;
            case "mh":
                Directory.CreateDirectory(inbox);
                break;
            default:
                Assert.Ignore("an mbox INBOX is made by one open(2): nothing half-made to finish");
                break;
        }

        Directory.SetLastWriteTimeUtc(inbox, DateTime.UtcNow.AddMinutes(-1));
        using (var box = _store.Open("INBOX", readOnly: false))
        {
            Assert.That(box.Messages, Is.Empty);
        }

        Assert.That(type == "maildir"
            ? Directory.Exists(Path.Combine(inbox, "tmp")) && Directory.Exists(Path.Combine(inbox, "new"))
            : File.Exists(Path.Combine(inbox, ".mh_sequences")), Is.True);
    }

    [Test]
    public void CreateMakesTheNamespaceTypeAndIntermediateFolders()
    {
        _store.Create("Work/Projects/2026");
        var driver = MailDrivers.CreateDefault().First(d => d.Type == type);
        Assert.That(driver.Detect(Path.Combine(_home, "mail", "Work", "Projects", "2026")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(_home, "mail", "Work", "Projects")), Is.True);
        var e = Assert.Throws<StorageException>(() => _store.Create("Work/Projects/2026"));
        Assert.That(e!.Error, Is.EqualTo(StorageError.AlreadyExists));
        Assert.Throws<StorageException>(() => _store.Create("INBOX"));
    }

    [Test]
    public void TrailingDelimiterCreatesAFolderOnly()
    {
        _store.Create("Archive/");
        var info = _store.List("", "Archive").Single();
        Assert.That(info.Attributes.HasFlag(MailboxAttributes.Noselect), Is.True);
        var e = Assert.Throws<StorageException>(() => _store.Open("Archive", readOnly: true));
        Assert.That(e!.Error, Is.EqualTo(StorageError.NotPossible));
    }

    [Test]
    public void ListFollowsTheWildcardRules()
    {
        _store.Create("Sent");
        _store.Create("Work/A");
        _store.Create("Work/B/C");
        Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX", "Sent", "Work", "Work/A", "Work/B", "Work/B/C" }));
        Assert.That(ListNames("", "%"), Is.EquivalentTo(new[] { "INBOX", "Sent", "Work" }));
        Assert.That(ListNames("Work/", "%"), Is.EquivalentTo(new[] { "Work/A", "Work/B" }));
        Assert.That(ListNames("", "Work/*"), Is.EquivalentTo(new[] { "Work/A", "Work/B", "Work/B/C" }));
        Assert.That(ListNames("", "inbox"), Is.EquivalentTo(new[] { "INBOX" }));
        Assert.That(ListNames("", "nothing*"), Is.Empty);

        var work = _store.List("", "Work").Single();
        Assert.That(work.Attributes.HasFlag(MailboxAttributes.Noselect), Is.True);
        Assert.That(work.Attributes.HasFlag(MailboxAttributes.HasChildren), Is.True);
        var sent = _store.List("", "Sent").Single();
        Assert.That(sent.Attributes.HasFlag(MailboxAttributes.Noselect), Is.False);
        Assert.That(sent.SpecialUse, Is.EqualTo(@"\Sent"), "special-use from the configuration");
        Assert.That(work.SpecialUse, Is.Null);
        Assert.That(sent.Attributes & (MailboxAttributes.HasNoChildren | MailboxAttributes.Noinferiors), Is.Not.EqualTo(MailboxAttributes.None));
    }

    [Test]
    public void ListOfAnEmptyPatternGivesTheDelimiter()
    {
        var root = _store.List("", "").Single();
        Assert.That(root.Name, Is.EqualTo(""));
        Assert.That(root.Delimiter, Is.EqualTo('/'));
        Assert.That(root.Attributes, Is.EqualTo(MailboxAttributes.Noselect));
    }

    [Test]
    public void ListHidesOurOwnFilesAndMessages()
    {
        _store.Create("Sent");
        Append("Sent", "one");
        Append("INBOX", "two");
        Assert.That(ListNames("", "*").Where(n => n.Contains("imap4d") || n.StartsWith('.') || n.Contains("/cur") || n.Any(char.IsDigit)),
            Is.Empty);
    }

    [Test]
    public void FilesInsideDirectoryMailboxesAreNeverListed()
    {
        _store.Create("Box");
        Append("Box", "x");
        string box = _store.Resolve("Box").FileSystemPath;
        if (Directory.Exists(box))
        {
            File.WriteAllText(Path.Combine(box, "empty-file"), ""); // an empty file would look like an mbox
            Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX", "Box" }));
            Assert.That(_store.List("", "Box").Single().Attributes.HasFlag(MailboxAttributes.HasNoChildren), Is.True);
        }
    }

    [Test]
    public void ChildrenAttributesFollowSubfoldersOfFoldersWithMessages()
    {
        Assume.That(type, Is.Not.EqualTo("mbox"), "an mbox folder is a file: \\Noinferiors");
        _store.Create("Box");
        Append("Box", "x");
        _store.Status("Box"); // our state directory (MH: .imap4d) is no child
        Assert.That(_store.List("", "Box").Single().Attributes, Is.EqualTo(MailboxAttributes.HasNoChildren));

        _store.Create("Box/Sub");
        Assert.That(_store.List("", "Box").Single().Attributes, Is.EqualTo(MailboxAttributes.HasChildren));
        Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX", "Box", "Box/Sub" }));

        _store.Delete("Box/Sub");
        Assert.That(_store.List("", "Box").Single().Attributes, Is.EqualTo(MailboxAttributes.HasNoChildren));
        Directory.CreateDirectory(Path.Combine(_store.Resolve("Box").FileSystemPath, ".hidden"));
        Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX", "Box" }), "a hidden directory is no folder");
    }

    [Test]
    public void DeleteFollowsTheNoselectRules()
    {
        _store.Create("Gone");
        Append("Gone", "x");
        _store.Delete("Gone");
        Assert.That(ListNames("", "Gone"), Is.Empty);
        Assert.Throws<StorageException>(() => _store.Delete("Gone"));

        _store.Create("Parent/Child");
        var e = Assert.Throws<StorageException>(() => _store.Delete("Parent"));
        Assert.That(e!.Error, Is.EqualTo(StorageError.HasChildren), "a \\Noselect folder with children");
        _store.Delete("Parent/Child");
        _store.Delete("Parent");
        Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX" }));
        Assert.Throws<StorageException>(() => _store.Delete("INBOX"));
    }

    [Test]
    public void RenameMovesHierarchiesAndKeepsMessages()
    {
        _store.Create("Old/Sub");
        Append("Old/Sub", "kept");
        _store.Rename("Old", "New");
        Assert.That(ListNames("", "*"), Is.EquivalentTo(new[] { "INBOX", "New", "New/Sub" }));
        using (var box = _store.Open("New/Sub", readOnly: true))
        {
            Assert.That(box.Messages, Has.Count.EqualTo(1));
        }

        _store.Create("Taken");
        Assert.That(Assert.Throws<StorageException>(() => _store.Rename("New/Sub", "Taken"))!.Error, Is.EqualTo(StorageError.AlreadyExists));
        Assert.That(Assert.Throws<StorageException>(() => _store.Rename("Missing", "Other"))!.Error, Is.EqualTo(StorageError.NotFound));
    }

    [Test]
    public void RenamingInboxMovesItsMessagesAndLeavesItEmpty()
    {
        Append("INBOX", "a");
        Append("INBOX", "b");
        _store.Rename("INBOX", "Saved");
        Assert.That(_store.Status("Saved").Messages, Is.EqualTo(2u));
        Assert.That(_store.Status("INBOX").Messages, Is.Zero);
    }

    [Test]
    public void StatusCountsMessages()
    {
        _store.Create("Box");
        Append("Box", "1");
        Append("Box", "2");
        var status = _store.Status("Box");
        Assert.That(status.Messages, Is.EqualTo(2u));
        Assert.That(status.Unseen, Is.EqualTo(2u));
        Assert.That(status.UidNext, Is.EqualTo(3u));
        Assert.That(Assert.Throws<StorageException>(() => _store.Status("Nope"))!.Error, Is.EqualTo(StorageError.NotFound));
    }

    [Test]
    public void SubscriptionsPersistAndLsubMatches()
    {
        _store.Create("A");
        _store.Create("B/C");
        _store.Subscribe("A");
        _store.Subscribe("B/C");
        _store.Subscribe("A");
        var again = NewStore();
        Assert.That(again.List("", "*", subscribedOnly: true).Select(i => i.Name), Is.EquivalentTo(new[] { "A", "B/C" }));
        Assert.That(again.List("", "%", subscribedOnly: true).Select(i => i.Name), Is.EquivalentTo(new[] { "A", "B" }));
        again.Unsubscribe("A");
        Assert.That(NewStore().List("", "*", subscribedOnly: true).Select(i => i.Name), Is.EquivalentTo(new[] { "B/C" }));
        Assert.That(File.ReadAllLines(Path.Combine(_home, ".mailboxlist")), Is.EquivalentTo(new[] { "B/C" }));
    }

    [Test]
    public void LsubPercentListsTheParentOfADeeperSubscriptionAsNoselect()
    {
        // RFC 3501 §6.3.9: "foo/bar" subscribed, "foo" not: LSUB "%" returns foo, flagged \Noselect.
        _store.Create("p/a/b");
        _store.Create("p/c");
        _store.Create("p/d/e");
        _store.Subscribe("p/a/b");
        _store.Subscribe("p/a/x/y");
        _store.Subscribe("p/c");
        _store.Subscribe("p/d");
        _store.Subscribe("p/d/e");

        var level = _store.List("", "p/%", subscribedOnly: true);
        Assert.That(level.Select(i => i.Name), Is.EqualTo(new[] { "p/a", "p/c", "p/d" }), "each name once, in subscription order; a subscribed parent as itself");
        Assert.That(level[0].Attributes, Is.EqualTo(MailboxAttributes.Noselect));
        Assert.That(level[1].Attributes.HasFlag(MailboxAttributes.Noselect), Is.False);

        var top = _store.List("", "%", subscribedOnly: true);
        Assert.That(top.Select(i => i.Name), Is.EqualTo(new[] { "p" }));
        Assert.That(top[0].Attributes, Is.EqualTo(MailboxAttributes.Noselect));
        Assert.That(_store.List("", "p/a/%", subscribedOnly: true).Select(i => i.Name), Is.EqualTo(new[] { "p/a/b", "p/a/x" }));
        Assert.That(_store.List("", "p/*", subscribedOnly: true).Select(i => i.Name),
            Is.EqualTo(new[] { "p/a/b", "p/a/x/y", "p/c", "p/d", "p/d/e" }), "* reaches the subscribed names themselves");
        Assert.That(_store.List("", "q/%", subscribedOnly: true), Is.Empty);
    }

    [Test]
    public void OtherUsersNamespaceNamesTheUserAndNeverEnumeratesUsers()
    {
        Assert.That(_store.Resolve("~joe/Sent").FileSystemPath, Is.EqualTo(Path.Combine(_root, "home", "joe", "mail", "Sent")));
        Assert.That(Assert.Throws<StorageException>(() => _store.Resolve("~nobody/Sent"))!.Error, Is.EqualTo(StorageError.NotFound));
        Assert.That(ListNames("", "~*"), Is.Empty);
        Assert.That(ListNames("", "*").Where(n => n.StartsWith('~')), Is.Empty);
    }

    [Test]
    public void SharedNamespaceIsListedUnderItsPrefix()
    {
        _store.Create("#shared/Announcements");
        Assert.That(File.Exists(Path.Combine(_root, "shared", "Announcements")) || Directory.Exists(Path.Combine(_root, "shared", "Announcements")), Is.True);
        Assert.That(ListNames("", "#shared/*"), Is.EquivalentTo(new[] { "#shared/Announcements" }));
        Assert.That(ListNames("#shared/", "%"), Is.EquivalentTo(new[] { "#shared/Announcements" }));
        // As GNU imap4d: LIST "" "*" lists the personal "" namespace; other namespaces are listed by their prefix.
        Assert.That(ListNames("", "*"), Does.Not.Contain("#shared/Announcements"));
    }

    [Test]
    public void NamesStayModifiedUtf7OnDisk()
    {
        _store.Create("&ZeVnLIqe-");
        Assert.That(File.Exists(Path.Combine(_home, "mail", "&ZeVnLIqe-")) || Directory.Exists(Path.Combine(_home, "mail", "&ZeVnLIqe-")), Is.True);
        Assert.That(ListNames("", "*"), Does.Contain("&ZeVnLIqe-"));
    }
}
