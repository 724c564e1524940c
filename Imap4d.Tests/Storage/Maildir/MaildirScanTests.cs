using System.Diagnostics;
using System.Text;
using Imap4d.Native;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Errno = Mono.Unix.Native.Errno;
using FilePermissions = Mono.Unix.Native.FilePermissions;
using LockType = Mono.Unix.Native.LockType;
using OpenFlags = Mono.Unix.Native.OpenFlags;
using Syscall = Mono.Unix.Native.Syscall;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// The directory scan: files other programs wrote (no S=/W=, lying S=), renamed or delivered
/// between two opens and between two syncs, and a rescan that finds nothing new keeping the view.
/// </summary>
public class MaildirScanTests : MaildirBoxTestBase
{
    private static string Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Encoding.ASCII.GetString(copy.ToArray());
    }

    private string Put(string dir, string name, string text, DateTimeOffset mtime)
    {
        string path = Path.Combine(_path, dir, name);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, mtime.UtcDateTime);
        return path;
    }

    [Test]
    public void FilesWithoutOrWithLyingSizeFieldsAreServedFromTheirContent()
    {
        // S= gives the size on disk; one of these lies. The file, not the name, is what is sent,
        // and RFC822.SIZE (no W=) is counted from the content.
        Put("cur", "1700000000.M1P1Q1.host:2,S", "Subject: plain\n\nno size fields\n", Date);
        Put("cur", "1700000001.M1P1Q1.host,S=3:2,", "Subject: lying\n\nS= says 3 bytes\n", Date.AddMinutes(1));
        Put("new", "1700000002.M1P1Q1.host,S=99999", "Subject: new\n\nin new/\n", Date.AddMinutes(2));
        using var box = _driver.Open(_path, "box", readOnly: true);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(box.Messages.Select(m => m.InternalDate), Is.EqualTo(new[] { Date, Date.AddMinutes(1), Date.AddMinutes(2) }));
        Assert.That(box.Messages.Select(m => m.Flags.System), Is.EqualTo(new[] { MessageFlags.Seen, MessageFlags.None, MessageFlags.None }));
        Assert.That(Read(box, 2), Is.EqualTo("Subject: lying\r\n\r\nS= says 3 bytes\r\n"));
        Assert.That(box.Messages[1].Size, Is.EqualTo(35));
        Assert.That(box.Messages[2].Size, Is.EqualTo("Subject: new\r\n\r\nin new/\r\n".Length));
    }

    [Test]
    public void AFlagChangeByAnotherProgramBetweenTwoOpensIsSeen()
    {
        Put("cur", "1700000000.M1P1Q1.host:2,", "Subject: a\n\nA\n", Date);
        Put("cur", "1700000001.M1P1Q1.host:2,", "Subject: b\n\nB\n", Date);
        using (var first = _driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(first.Messages.Select(m => m.Flags.System), Is.EqualTo(new[] { MessageFlags.None, MessageFlags.None }));
        }

        // mutt marks b seen; the directory's mtime is put back, so only its ctime tells.
        string cur = Path.Combine(_path, "cur");
        var mtime = Directory.GetLastWriteTimeUtc(cur);
        File.Move(Path.Combine(cur, "1700000001.M1P1Q1.host:2,"), Path.Combine(cur, "1700000001.M1P1Q1.host:2,S"));
        Directory.SetLastWriteTimeUtc(cur, mtime);

        using var second = _driver.Open(_path, "box", readOnly: false);
        Assert.That(second.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(second.Messages.Select(m => m.Flags.System), Is.EqualTo(new[] { MessageFlags.None, MessageFlags.Seen }));
        Assert.That(Read(second, 2), Does.Contain("Subject: b"));
    }

    [Test]
    public void ARescanThatFindsNothingNewKeepsTheView()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        for (int i = 0; i < 3; i++)
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: m{i}\r\n\r\nx\r\n")), FlagSet.Empty, Date);
        }

        box.Sync();
        var view = box.Messages;
        // Our own appends just changed cur/: its stamp is not trusted yet, so this lists it again.
        Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        Assert.That(box.Messages, Is.SameAs(view), "nothing changed: the same view, not a rebuilt copy");

        string name = Path.GetFileName(Directory.GetFiles(Path.Combine(_path, "cur")).Order(StringComparer.Ordinal).First());
        File.Move(Path.Combine(_path, "cur", name), Path.Combine(_path, "cur", name + "F"));
        var changes = box.Sync();
        Assert.That(changes.FlagsChanged, Has.Count.EqualTo(1));
        Assert.That(box.Messages, Is.Not.SameAs(view));
        Assert.That(box.Messages.Count(m => m.Flags.Has(MessageFlags.Flagged)), Is.EqualTo(1));
    }

    [Test]
    public void StatusSeesAForeignDeliveryIntoNew()
    {
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: one\r\n\r\nx\r\n")), FlagSet.Of(MessageFlags.Seen), Date);
            box.Sync(); // seen by a read-write session: no longer recent
        }

        Assert.That(_driver.GetStatus(_path).Messages, Is.EqualTo(1u));
        string tmp = Put("tmp", "1700000005.M1P1Q1.mda", "Subject: delivered\n\nhello\n", Date);
        File.Move(tmp, Path.Combine(_path, "new", "1700000005.M1P1Q1.mda"));
        var status = _driver.GetStatus(_path);
        Assert.That(status.Messages, Is.EqualTo(2u));
        Assert.That(status.Unseen, Is.EqualTo(1u));
        Assert.That(status.Recent, Is.EqualTo(1u));
        Assert.That(status.UidNext, Is.EqualTo(3u));

        File.Delete(Path.Combine(_path, "new", "1700000005.M1P1Q1.mda"));
        Assert.That(_driver.GetStatus(_path).Messages, Is.EqualTo(1u), "and its removal");
    }

    [Test]
    public void AfterAStoreOnALargeMaildirTheNextSyncsListNothing()
    {
        for (int i = 0; i < 1200; i++)
        {
            Put("cur", $"{1_700_000_000 + i}.M{i}P1Q1.host,S=14,W=17:2,", $"Subject: {i % 10}\n\nx\n", Date);
        }

        using var box = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false);
        box.Store(box.Messages.Select(m => m.Uid).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
        box.Sync(); // the session's poll after STORE: lists cur/ once, after the clock tick of the last rename
        int scans = box.ScanCount;
        for (int i = 0; i < 3; i++)
        {
            Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        }

        Assert.That(box.ScanCount, Is.EqualTo(scans), "STATUS/NOOP after a STORE 1:* used to list 1200 files again");

        // A later change by another program still shows at once.
        string name = Path.GetFileName(Directory.GetFiles(Path.Combine(_path, "cur")).Order(StringComparer.Ordinal).First());
        File.Move(Path.Combine(_path, "cur", name), Path.Combine(_path, "cur", name + "S"));
        var changes = box.Sync();
        Assert.That(changes.FlagsChanged, Has.Count.EqualTo(1));
        Assert.That(box.Messages[0].Flags.Has(MessageFlags.Seen), Is.True);
    }
    private MaildirMailbox OpenLarge(int count)
    {
        for (int i = 0; i < count; i++)
        {
            Put("cur", $"{1_700_000_000 + i}.M{i}P1Q1.host,S=14,W=17:2,", $"Subject: {i % 10}\n\nx\n", Date);
        }

        Thread.Sleep(20); // delivered a while ago: the first listing can trust the directories' stamps
        return (MaildirMailbox)_driver.Open(_path, "box", readOnly: false);
    }

    private string CurName(int index) =>
        Path.GetFileName(Directory.GetFiles(Path.Combine(_path, "cur")).Order(StringComparer.Ordinal).ElementAt(index));

    [Test]
    public void OurOwnStoreAndExpungeLeaveNothingToListButAForeignChangeRightAfterIsSeen()
    {
        using var box = OpenLarge(1500); // still 1000+ (a large maildir) after the EXPUNGE
        box.OwnStampsTrustedMs = 60_000; // not the one listing a second that races ours (see the next test)
        int scans = box.ScanCount;
        box.Store(box.Messages.Take(250).Select(m => m.Uid).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "STORE listed");
        Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "the poll after STORE listed");
        Assert.That(box.Expunge(), Has.Count.EqualTo(250));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "EXPUNGE listed");
        Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "the poll after EXPUNGE listed");
        box.Store([box.Messages[0].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "the second STORE listed");
        Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "the polls after our own STORE and EXPUNGE listed cur/ again");
        using (var status = (MaildirMailbox)_driver.Open(_path, "box", readOnly: true))
        {
            Assert.That(status.ScanCount, Is.Zero, "STATUS in the same process listed what our own change left");
            Assert.That(status.Messages, Has.Count.EqualTo(1250));
        }

        // Another program (no lock) renames a file in the same second as our STORE, then adds one.
        box.Store([box.Messages[1].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        string name = CurName(5);
        File.Move(Path.Combine(_path, "cur", name), Path.Combine(_path, "cur", name.Replace(":2,", ":2,F")));
        var changes = box.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new[] { box.Messages[5].Uid }));
        Assert.That(box.Messages[5].Flags.Has(MessageFlags.Flagged), Is.True);

        box.Store([box.Messages[2].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        Put("cur", "1800000000.M1P2Q1.mutt:2,S", "Subject: foreign\n\nx\n", Date);
        changes = box.Sync();
        Assert.That(changes.Added, Has.Count.EqualTo(1));
        Assert.That(box.Messages, Has.Count.EqualTo(1251));

        // ... and removes one right after our EXPUNGE.
        box.Store([box.Messages[3].Uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        Assert.That(box.Expunge(), Has.Count.EqualTo(1));
        File.Delete(Path.Combine(_path, "cur", CurName(10)));
        changes = box.Sync();
        Assert.That(changes.Expunged, Has.Count.EqualTo(1));
        Assert.That(box.Messages, Has.Count.EqualTo(1249));
    }

    [Test]
    public void AForeignChangeMadeWhileOurStoreRanIsSeenWithinASecond()
    {
        using var box = OpenLarge(1200);
        string victim = CurName(700);
        box.OwnChangeDoneForTest = () =>
        {
            // mutt flags a message while our renames run: its change and ours end in the same stamp.
            box.OwnChangeDoneForTest = null;
            File.Move(Path.Combine(_path, "cur", victim), Path.Combine(_path, "cur", victim.Replace(":2,", ":2,F")));
        };
        box.Store(box.Messages.Take(10).Select(m => m.Uid).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        box.Sync();
        var seenAt = Stopwatch.StartNew();
        while (!box.Messages[700].Flags.Has(MessageFlags.Flagged) && seenAt.ElapsedMilliseconds < 5000)
        {
            Thread.Sleep(50);
            box.Sync();
        }

        Assert.That(box.Messages[700].Flags.Has(MessageFlags.Flagged), Is.True, "a change hidden behind our own stamp was never seen");
        Assert.That(seenAt.ElapsedMilliseconds, Is.LessThan(3000));

        // Another session (another process) does not trust stamps taken after our own change.
        using var other = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false);
        Assert.That(other.Messages[700].Flags.Has(MessageFlags.Flagged), Is.True);
    }

    [Test]
    public void AFirstOpenWithNewMailLeavesNothingForThePollAfterIt()
    {
        for (int i = 0; i < 1100; i++)
        {
            Put(i < 1000 ? "cur" : "new", $"{1_700_000_000 + i}.M{i}P1Q1.host" + (i < 1000 ? ":2,S" : ""), $"Subject: {i}\n\nx\n", Date);
        }

        using var box = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false);
        Assert.That(Directory.GetFiles(Path.Combine(_path, "new")), Is.Empty, "new/ is taken into cur/");
        int scans = box.ScanCount;
        Assert.That(box.Sync(), Is.SameAs(MailboxChanges.None));
        Assert.That(box.ScanCount, Is.EqualTo(scans), "the poll that ends a first SELECT listed cur/ and new/ again (and saved the index twice)");
        Assert.That(box.Messages, Has.Count.EqualTo(1100));
        Assert.That(box.RecentUids, Has.Count.EqualTo(1100));
    }

    [Test]
    public void ARescanThatFindsFewChangedNamesKeepsTheUidLinesOfTheOthers()
    {
        // The UID list is the authority for UIDs: a scan reporting only the renamed file by name
        // once rewrote it without the lines of every unchanged file, and a lost index then gave
        // all of them new UIDs under the same UIDVALIDITY.
        for (int i = 0; i < 300; i++)
        {
            Put("cur", $"{1_700_000_000 + i}.M{i}P1Q1.host:2,", $"Subject: {i}\n\nx\n", Date);
        }

        uint validity;
        uint[] uids;
        using (var box = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false))
        {
            string name = CurName(7);
            File.Move(Path.Combine(_path, "cur", name), Path.Combine(_path, "cur", name + "S"));
            box.Sync();
            Assert.That(box.Messages[7].Flags.Has(MessageFlags.Seen), Is.True);
            validity = box.UidValidity;
            uids = box.Messages.Select(m => m.Uid).ToArray();
        }

        Assert.That(File.ReadAllLines(Path.Combine(_path, MaildirUidList.FileName)), Has.Length.EqualTo(301));
        string index = Path.Combine(_path, MaildirMailbox.IndexFileName);
        Assert.That(File.Exists(index), Is.True);
        File.Delete(index);
        using var again = _driver.Open(_path, "box", readOnly: false);
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(uids), "an index lost after the rewrite renumbered every message");
    }

    [Test]
    public void UidLinesLostByAnEarlierCompactionComeBackFromTheIndex()
    {
        for (int i = 0; i < 300; i++)
        {
            Put("cur", $"{1_700_000_000 + i}.M{i}P1Q1.host:2,", $"Subject: {i}\n\nx\n", Date);
        }

        uint validity;
        uint[] uids;
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            validity = box.UidValidity;
            uids = box.Messages.Select(m => m.Uid).ToArray();
        }

        // What the compaction that counted only renamed files left behind.
        string list = Path.Combine(_path, MaildirUidList.FileName);
        File.WriteAllText(list, $"1 V{validity} N301\n");
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(uids));
        }

        Assert.That(File.ReadAllLines(list), Has.Length.EqualTo(301), "the lines the index knew were not restored");
        File.Delete(Path.Combine(_path, MaildirMailbox.IndexFileName));
        using var again = _driver.Open(_path, "box", readOnly: false);
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(uids));
    }

    private void PutLargeWithNewMail()
    {
        for (int i = 0; i < 1100; i++)
        {
            Put(i < 1000 ? "cur" : "new", $"{1_700_000_000 + i}.M{i}P1Q1.host" + (i < 1000 ? ":2,S" : ""), $"Subject: {i}\n\nx\n", Date);
        }

        Thread.Sleep(20); // delivered a while ago: the first listing can trust the directories' stamps
    }

    [Test]
    public void AFirstOpenWithNewMailListsOnceAndTheNextSessionNotAtAll()
    {
        PutLargeWithNewMail();
        using (var first = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(first.ScanCount, Is.EqualTo(1), "new/ and cur/ listed again after the moves out of new/");
            Assert.That(first.Messages, Has.Count.EqualTo(1100));
        }

        // Another session (it reads the index, as another process would) within the second the
        // stamps taken after our renames are trusted for.
        using (var next = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(next.ScanCount, Is.Zero, "the re-SELECT after a first SELECT that moved new mail listed cur/ again");
            Assert.That(next.Messages, Has.Count.EqualTo(1100));
            Assert.That(next.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, 1100).Select(i => (uint)i)));
        }

        // A delivery right after is seen at once (new/ has another stamp).
        Put("new", "1800000000.M1P2Q1.mda", "Subject: late\n\nx\n", Date);
        using (var after = (MaildirMailbox)_driver.Open(_path, "box", readOnly: true))
        {
            Assert.That(after.ScanCount, Is.EqualTo(1));
            Assert.That(after.Messages, Has.Count.EqualTo(1101));
        }
    }

    [Test]
    public void AForeignRenameWhileTheFirstOpenMovesNewMailIsSeenOnceTheStampsAreDue()
    {
        PutLargeWithNewMail();
        string victim = CurName(500);
        MaildirMailbox.OwnChangeDoneForTestOfAll.Value = () =>
        {
            // mutt flags a message while our moves out of new/ run: its change and ours end in one stamp.
            MaildirMailbox.OwnChangeDoneForTestOfAll.Value = null;
            File.Move(Path.Combine(_path, "cur", victim), Path.Combine(_path, "cur", victim.Replace(":2,S", ":2,FS")));
        };
        var clock = Stopwatch.StartNew();
        using (var first = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(MaildirMailbox.OwnChangeDoneForTestOfAll.Value, Is.Null, "the moves out of new/ did not take the path under test");
        }

        using var next = (MaildirMailbox)_driver.Open(_path, "box", readOnly: false);
        if (clock.ElapsedMilliseconds < 900)
        {
            Assert.That(next.ScanCount, Is.Zero, "within the second, the stamps after our own renames are trusted");
        }

        Thread.Sleep(Math.Max(0, 1100 - (int)clock.ElapsedMilliseconds));
        next.Sync();
        Assert.That(next.Messages[500].Flags.Has(MessageFlags.Flagged), Is.True, "a change hidden behind the stamps of our own renames was never seen");
        using var later = (MaildirMailbox)_driver.Open(_path, "box", readOnly: true);
        Assert.That(later.Messages[500].Flags.Has(MessageFlags.Flagged), Is.True);
        Assert.That(later.ScanCount, Is.Zero, "the listing that fell due was not saved for the next session");
    }

    [Test]
    public void DatesOfFilesNotStatedAtOpenAreTheirMtimesAlsoAfterARename()
    {
        // The first open stats no file: the date is looked up when asked for, under the file's current name.
        Put("cur", "1700000000.M1P1Q1.host:2,", "Subject: a\n\nx\n", Date);
        Put("cur", "1700000001.M1P1Q1.host:2,", "Subject: b\n\ny\n", Date.AddHours(1));
        using var box = _driver.Open(_path, "box", readOnly: false);
        File.Move(Path.Combine(_path, "cur", "1700000001.M1P1Q1.host:2,"), Path.Combine(_path, "cur", "1700000001.M1P1Q1.host:2,S"));
        Assert.That(box.Messages[1].InternalDate, Is.EqualTo(Date.AddHours(1)), "renamed by a mail reader before the date was asked for");
        Assert.That(box.Messages[0].InternalDate, Is.EqualTo(Date));
        box.Checkpoint();

        using var again = _driver.Open(_path, "box", readOnly: true);
        Assert.That(again.Messages.Select(m => m.InternalDate), Is.EqualTo(new[] { Date, Date.AddHours(1) }));
        Assert.That(again.Messages.Select(m => m.Size), Is.EqualTo(new long[] { 17, 17 }));
    }

    [Test]
    public void ACopyOfMessagesAnotherSessionRenamedDoesNotWaitForItsOwnLock()
    {
        // 50 clients on one INBOX: COPY INBOX INBOX of messages another session had just flagged
        // (files renamed, index saved) looked a date up lazily under the lock the COPY held; the
        // lookup took the lock again from the same thread, and the second open file description's
        // lock waited 30 s for the first (NO [INUSE] for everyone on the mailbox meanwhile).
        Put("cur", "1700000000.M1P1Q1.host:2,", "Subject: a\n\nx\n", Date);
        Put("cur", "1700000001.M1P1Q1.host:2,", "Subject: b\n\ny\n", Date.AddHours(1));
        using var mine = _driver.Open(_path, "box", readOnly: false);
        using var other = _driver.Open(_path, "box", readOnly: false);
        other.Store([1, 2], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        other.Checkpoint(); // the index saved with the new names: the next lock reads it again
        var clock = Stopwatch.StartNew();
        var copied = mine.CopyTo([1, 2], mine);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the COPY waited for a lock");
        Assert.That(copied, Is.EqualTo(new[] { (1u, 3u), (2u, 4u) }));
        mine.Sync();
        Assert.That(mine.Messages.Select(m => m.InternalDate), Is.EqualTo(new[] { Date, Date.AddHours(1), Date, Date.AddHours(1) }));
        Assert.That(Read(mine, 4), Is.EqualTo("Subject: b\r\n\r\ny\r\n"));
    }

    [Test]
    public void ACopyOfMessagesRenamedSinceTheLastScanLinksThemUnderTheirNewNames()
    {
        // Another session flagged them and has not saved the index: we still know the old names.
        Put("cur", "1700000000.M1P1Q1.host:2,", "Subject: a\n\nx\n", Date);
        Put("cur", "1700000001.M1P1Q1.host:2,", "Subject: b\n\ny\n", Date.AddHours(1));
        using var mine = _driver.Open(_path, "box", readOnly: false);
        foreach (string file in Directory.GetFiles(Path.Combine(_path, "cur")))
        {
            File.Move(file, file + "S");
        }

        var copied = mine.CopyTo([1, 2], mine);
        Assert.That(copied, Is.EqualTo(new[] { (1u, 3u), (2u, 4u) }));
        var links = Directory.GetFiles(Path.Combine(_path, "cur")).Select(f => Syscall.stat(f, out var st) == 0 ? (long)st.st_nlink : -1);
        Assert.That(links, Is.All.EqualTo(2), "copied, not linked");
        mine.Sync();
        Assert.That(mine.Messages.Select(m => m.InternalDate), Is.EqualTo(new[] { Date, Date.AddHours(1), Date, Date.AddHours(1) }));
        Assert.That(mine.Messages.Take(2).Select(m => m.Flags.System), Is.All.EqualTo(MessageFlags.Seen), "the next scan takes the new names and flags");
    }

    [Test]
    public void DatesSizesAndContentOfRenamedFilesAreFoundWithoutTheLock()
    {
        // Another session holds the lock (here: this thread, through another open file description)
        // while this one asks for what it has not looked up yet of files renamed since its scan.
        Put("cur", "1700000000.M1P1Q1.host:2,", "Subject: a\n\nx\n", Date);
        Put("new", "1700000001.M1P1Q1.host", "Subject: b\n\ny\n", Date.AddHours(1));
        using var box = _driver.Open(_path, "box", readOnly: true);
        foreach (string dir in new[] { "cur", "new" })
        {
            foreach (string file in Directory.GetFiles(Path.Combine(_path, dir)))
            {
                File.Move(file, Path.Combine(_path, "cur", Path.GetFileName(file).Split(':')[0] + ":2,S"));
            }
        }

        int fd = Syscall.open(Path.Combine(_path, MaildirLock.FileName), OpenFlags.O_RDWR | OpenFlags.O_CREAT, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
        try
        {
            Assert.That(RecordLock.Set(fd, LockType.F_WRLCK), Is.EqualTo((Errno)0));
            var clock = Stopwatch.StartNew();
            Assert.That(box.Messages.Select(m => m.InternalDate), Is.EqualTo(new[] { Date, Date.AddHours(1) }));
            Assert.That(box.Messages.Select(m => m.Size), Is.EqualTo(new long[] { 17, 17 }));
            Assert.That(Read(box, 2), Is.EqualTo("Subject: b\r\n\r\ny\r\n"));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "waited for the lock");
        }
        finally
        {
            Syscall.close(fd);
        }
    }

    [Test]
    public void TheLockTakenAgainOnOneThreadIsGrantedAtOnceAndKeptUntilTheOuterRelease()
    {
        var clock = Stopwatch.StartNew();
        using (MaildirLock.Acquire(_path))
        {
            using (MaildirLock.Acquire(_path))
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the inner acquire waited for the outer one");
            }

            if (RecordLock.PerDescriptor)
            {
                Assert.That(AnotherDescriptorCanLock(), Is.False, "the inner release dropped the outer lock");
            }
        }

        Assert.That(AnotherDescriptorCanLock(), Is.True);
    }

    private bool AnotherDescriptorCanLock()
    {
        int fd = Syscall.open(Path.Combine(_path, MaildirLock.FileName), OpenFlags.O_RDWR | OpenFlags.O_CREAT, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR);
        try
        {
            return RecordLock.Set(fd, LockType.F_WRLCK) == 0;
        }
        finally
        {
            Syscall.close(fd);
        }
    }
}
