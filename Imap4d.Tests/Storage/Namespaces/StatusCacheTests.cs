using System.Text;
using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.Mh;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>
/// STATUS of an mbox answered again from what the process kept (<see cref="StatusCache"/>) while
/// the mbox, its index and the directories that place the index are as they were, and worked out
/// afresh after any change: another session's STORE, APPEND and EXPUNGE, an MDA appending by hand,
/// a rewrite of the same size with the mtime put back, the mbox replaced, the index removed, the
/// directory made shared. Every answer is checked against the driver's own (nothing kept).
/// </summary>
[NonParallelizable]
public class StatusCacheTests
{
    private const string FromLine = "From a@example.org Mon Dec  7 10:00:00 2026\n";

    private string _root = null!;
    private string _home = null!;
    private string _box = null!;
    private MboxDriver _driver = null!;
    private ServerSettings _settings = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imap4d-statuscache-" + Guid.NewGuid().ToString("N"));
        _home = Path.Combine(_root, "home");
        Directory.CreateDirectory(Path.Combine(_home, "mail", "dir"));
        _box = Path.Combine(_home, "mail", "dir", "box");
        File.WriteAllText(_box, Message("one", seen: true) + Message("two", seen: false) + Message("three", seen: false));
        _driver = new MboxDriver(userState: Imap4d.Storage.State.UserStateDirectory.For(null, "demo", _home));
        _settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", "mbox", null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = "mbox://$home/mail/INBOX" },
        };
    }

    [TearDown]
    public void TearDown()
    {
        StatusCache.Shared.Clear();
        Directory.Delete(_root, recursive: true);
    }

    private static string Message(string subject, bool seen) =>
        FromLine + "Subject: " + subject + "\n" + (seen ? "Status: RO\n" : "Status: OO\n") + "\nbody of " + subject + "\n\n";

    private MailStore NewStore() => new(_settings, "demo", _home,
        [_driver, new MaildirDriver(), new MhDriver()], _ => null);

    /// <summary>Lets every stamp age past the tick in which a change could go unseen.</summary>
    private static void Settle() => Thread.Sleep(ListCache.Settle + TimeSpan.FromMilliseconds(300));

    /// <summary>STATUS of dir/box from <paramref name="store"/>, checked against the driver's own answer.</summary>
    private MailboxStatus StatusBoth(MailStore store)
    {
        var kept = store.Status("dir/box");
        Assert.That(kept, Is.EqualTo(_driver.GetStatus(_box)), "the kept answer differs from a fresh one");
        return kept;
    }

    /// <summary>
    /// STATUS until it is answered from what was kept: after a change the first one brings the
    /// index up to date (a write, whose stamp must settle), the next one is kept.
    /// </summary>
    private MailboxStatus Kept(MailStore store)
    {
        Settle();
        StatusBoth(store);
        Settle();
        StatusBoth(store);
        int hits = MailStore.StatusCacheHits;
        var status = StatusBoth(store);
        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits + 1), "answered from what was kept");
        return status;
    }

    [Test]
    public void RepeatedStatusIsKeptAndANewSessionOfTheProcessFindsIt()
    {
        var status = Kept(NewStore());
        Assert.That(status.Messages, Is.EqualTo(3u));
        Assert.That(status.Unseen, Is.EqualTo(2u));

        int hits = MailStore.StatusCacheHits;
        Assert.That(NewStore().Status("dir/box"), Is.EqualTo(status));
        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits + 1), "another store of the same user shares it");
    }

    [Test]
    public void AnotherSessionsStoreAppendAndExpungeShowAtOnce()
    {
        var store = NewStore();
        var before = Kept(store);
        using (var other = NewStore().Open("dir/box", readOnly: false))
        {
            // STORE writes the index alone (the mbox is written back only when the other session closes).
            long size = new FileInfo(_box).Length;
            var mtime = File.GetLastWriteTimeUtc(_box);
            other.Store([other.Messages[1].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            Assert.That((new FileInfo(_box).Length, File.GetLastWriteTimeUtc(_box)), Is.EqualTo((size, mtime)));
            Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen - 1));
        }

        Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen - 1));

        Kept(store);
        using (var other = NewStore().Open("dir/box", readOnly: false))
        {
            other.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: four\r\n\r\nx\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        var appended = StatusBoth(store);
        Assert.That(appended.Messages, Is.EqualTo(4u));
        Assert.That(appended.UidNext, Is.GreaterThan(before.UidNext));

        Kept(store);
        using (var other = NewStore().Open("dir/box", readOnly: false))
        {
            other.Store([other.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            other.Expunge();
        }

        Assert.That(StatusBoth(store).Messages, Is.EqualTo(3u));
    }

    [Test]
    public void AnMdaAppendingByHandShowsAtOnceAlsoTwiceInOneTick()
    {
        var store = NewStore();
        Kept(store);
        File.AppendAllText(_box, Message("mda", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(4u));
        File.AppendAllText(_box, Message("mda2", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(5u), "a second append within the tick: the young stamp was not trusted");
    }

    [Test]
    public void ARewriteOfTheSameSizeWithTheMtimePutBackShows()
    {
        var store = NewStore();
        var before = Kept(store);
        var mtime = File.GetLastWriteTimeUtc(_box);
        long size = new FileInfo(_box).Length;

        // A mail reader rewrites the file in place: the last message's From line becomes body text of the one before.
        string text = File.ReadAllText(_box);
        int last = text.LastIndexOf("\n" + FromLine, StringComparison.Ordinal);
        text = text[..(last + 1)] + "XXXX" + text[(last + 5)..];
        File.WriteAllText(_box, text);
        File.SetLastWriteTimeUtc(_box, mtime);
        Assert.That(new FileInfo(_box).Length, Is.EqualTo(size));

        var after = StatusBoth(store);
        Assert.That(after.Messages, Is.EqualTo(before.Messages - 1));
    }

    [Test]
    public void TheMboxReplacedOrRemovedShows()
    {
        var store = NewStore();
        Kept(store);
        string other = _box + ".new";
        File.WriteAllText(other, Message("only", seen: true));
        File.Move(other, _box, overwrite: true);
        var replaced = StatusBoth(store);
        Assert.That(replaced.Messages, Is.EqualTo(1u));
        Assert.That(replaced.Unseen, Is.EqualTo(0u));

        Kept(store);
        File.Delete(_box);
        Assert.Throws<StorageException>(() => store.Status("dir/box"));
    }

    [Test]
    public void TheIndexRemovedShows()
    {
        var store = NewStore();
        var before = Kept(store);
        string index = _driver.IndexPathFor(_box);
        Assert.That(index, Does.Contain("/.imap4d/"));
        File.Delete(index);
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(before.Messages));

    }

    [TestCase(false)]
    [TestCase(true)]
    public void TheIndexPlacedElsewhereShows(bool shareTheDirectory)
    {
        var store = NewStore();
        Kept(store);
        using var other = NewStore().Open("dir/box", readOnly: false);
        other.Store([other.Messages[1].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen)); // in the index only while open
        var before = Kept(store);

        // The index's place is the mbox directory's .imap4d only while both are private; else the user's state directory.
        string directory = Path.GetDirectoryName(_box)!;
        string place = shareTheDirectory ? directory : Path.Combine(directory, MboxIndexLocation.DirectoryName);
        File.SetUnixFileMode(place, File.GetUnixFileMode(place) | UnixFileMode.GroupWrite);
        Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen + 1), "an index made afresh from the mbox");
        Assert.That(_driver.IndexPathFor(_box), Does.Not.Contain("/dir/.imap4d/")); // (which removes the one left there)
    }

    [Test]
    public void AChangeOfAnotherFolderInTheDirectoryKeepsTheAnswer()
    {
        var store = NewStore();
        string sibling = Path.Combine(_home, "mail", "dir", "sibling");
        File.WriteAllText(sibling, Message("s", seen: false));
        Settle();
        store.Status("dir/sibling");
        Kept(store);
        using (var other = NewStore().Open("dir/sibling", readOnly: false))
        {
            other.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: s2\r\n\r\nx\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        int hits = MailStore.StatusCacheHits;
        StatusBoth(store);
        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits + 1), "its lock file, index and journal came and went beside ours: no matter");
        Assert.That(store.Status("dir/sibling").Messages, Is.EqualTo(2u));
    }

    [Test]
    public void NothingIsKeptUnderYoungStamps()
    {
        var store = NewStore();
        File.AppendAllText(_box, Message("young", seen: false));
        int hits = MailStore.StatusCacheHits;
        StatusBoth(store);
        StatusBoth(store);
        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits), "a stamp younger than the settle time is not trusted");
    }

    [Test]
    public void UnderYoungStampsTheIndexHeaderAnswersWithoutResolvingTheNameAgain()
    {
        int locations = 0;
        var userState = Imap4d.Storage.State.UserStateDirectory.For(null, "demo", _home);
        var counting = new MboxDriver(indexPathFor: path =>
        {
            Interlocked.Increment(ref locations);
            return MboxIndexLocation.For(path, userState);
        }, userState: userState);
        var store = new MailStore(_settings, "demo", _home, [counting, new MaildirDriver(), new MhDriver()], _ => null);
        StatusBoth(store); // makes the index (and its directory: the index's place changed, so the next one resolves again)
        File.AppendAllText(_box, Message("young", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(4u));

        int before = locations, rechecks = StatusCache.Shared.Rechecks, hits = MailStore.StatusCacheHits;
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(4u));
        Assert.That(StatusCache.Shared.Rechecks, Is.EqualTo(rechecks + 1), "worked out again from the index header");
        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits), "not given as kept: the stamps are young");
        Assert.That(locations, Is.EqualTo(before), "no index location, probe or real path check again");
    }

    [Test]
    public void AnotherSessionsStoresInOneTickShowUnderYoungStamps()
    {
        var store = NewStore();
        var before = Kept(store);
        using var other = NewStore().Open("dir/box", readOnly: false);
        // Each STORE rewrites the index in place (same size), one right after the other: the
        // index's stamp may well be the same after both; its header's counters are not.
        other.Store([other.Messages[1].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen - 1));
        other.Store([other.Messages[2].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen - 2));
        other.Store([other.Messages[2].Uid], FlagOperation.Remove, FlagSet.Of(MessageFlags.Seen));
        Assert.That(StatusBoth(store).Unseen, Is.EqualTo(before.Unseen - 1));
    }

    [Test]
    public void AnMdaAppendingTwiceInOneTickUnderAYoungAnswerShows()
    {
        var store = NewStore();
        File.AppendAllText(_box, Message("young", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(4u));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(4u));
        File.AppendAllText(_box, Message("mda", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(5u));
        File.AppendAllText(_box, Message("mda2", seen: false));
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(6u));
    }

    [Test]
    public void AYoungAnswerOfAMboxReplacedByAnotherFileIsWorkedOutInFull()
    {
        var store = NewStore();
        File.AppendAllText(_box, Message("young", seen: false));
        StatusBoth(store);
        StatusBoth(store);
        int rechecks = StatusCache.Shared.Rechecks;
        string other = _box + ".new";
        File.WriteAllText(other, Message("only", seen: true));
        File.Move(other, _box, overwrite: true);
        Assert.That(StatusBoth(store).Messages, Is.EqualTo(1u));
        Assert.That(StatusCache.Shared.Rechecks, Is.EqualTo(rechecks), "another inode: resolved again, not rechecked");
    }

    [Test]
    public void MaildirAndMhAreNotKept()
    {
        var maildir = Path.Combine(_home, "mail", "md");
        new MaildirDriver().Create(maildir, (UnixFileMode)0x1c0);
        var mh = Path.Combine(_home, "mail", "mh");
        new MhDriver().Create(mh, (UnixFileMode)0x1c0);
        var store = NewStore();
        Settle();
        int hits = MailStore.StatusCacheHits;
        for (int i = 0; i < 2; i++)
        {
            Assert.That(store.Status("md").Messages, Is.EqualTo(0u));
            Assert.That(store.Status("mh").Messages, Is.EqualTo(0u));
        }

        Assert.That(MailStore.StatusCacheHits, Is.EqualTo(hits));
    }
}
