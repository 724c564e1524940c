using System.Diagnostics;
using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Mh;
using Mono.Unix.Native;
using MessageFlags = Imap4d.Storage.MessageFlags;

namespace Imap4d.Tests.Storage.Mh;

public class MhDriverTests
{
    private static readonly string FixtureRoot = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "mh");

    private MhDriverFixture _fixture = null!;

    private MhDriver Driver => (MhDriver)_fixture.Driver;

    [SetUp]
    public void SetUp() => _fixture = new MhDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string CopyFixture(string name)
    {
        string target = _fixture.NewPath(name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(Path.Combine(FixtureRoot, name)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    private static string Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Sequences(string path) => File.ReadAllText(Path.Combine(path, ".mh_sequences"));

    private static void Drop(string path, int number, string subject) =>
        File.WriteAllText(Path.Combine(path, number.ToString()), $"From: x@example.org\nSubject: {subject}\n\nbody\n");

    [Test]
    public void OpensAFolderMadeByNmh()
    {
        string path = CopyFixture("nmh-inbox");
        Assert.That(Driver.Detect(path), Is.True);
        using var box = Driver.Open(path, "inbox", readOnly: false);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }), ",5 (rmm) is not a message");
        var flags = box.Messages.Select(m => m.Flags).ToList();
        Assert.That(flags[0].System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Answered));
        Assert.That(flags[1].System, Is.EqualTo(MessageFlags.Flagged));
        Assert.That(flags[1].Keywords, Is.EquivalentTo(new[] { "todo" }));
        Assert.That(flags[2].System, Is.EqualTo(MessageFlags.Seen));
        Assert.That(flags[3].System, Is.EqualTo(MessageFlags.Flagged));
        string first = Read(box, 1);
        Assert.That(first, Does.StartWith("From: Alice <alice@example.org>\r\n").And.Contain("\r\n>From quoted\r\n"));
        Assert.That(box.Messages[0].Size, Is.EqualTo(Encoding.UTF8.GetByteCount(first)));
        Assert.That(box.Messages[0].Size, Is.EqualTo(157 + 8), "8 lines, each LF becomes CRLF");
    }

    [Test]
    public void OpensAFolderMadeByMailutilsWithItsUidValidity()
    {
        string path = CopyFixture("mailutils-inbox");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(1795321687u), "from .mu-prop");
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(box.UidNext, Is.EqualTo(6u), ".mu-prop's uidnext: UID 5 was handed out");
        Assert.That(box.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Flagged, "todo")));
        Assert.That(box.Messages[2].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen)));
        Assert.That(Read(box, 1), Does.Contain("\r\nFrom quoted\r\n"));
    }

    /// <summary>
    /// GNU imap4d keeps MH flags in a Status: header in each file (and adds one to every message it
    /// opens); meeting such a folder, we carry them into .mh_sequences once, with its meaning of seen.
    /// </summary>
    [Test]
    public void CarriesGnuImap4dsStatusFlagsIntoTheSequencesOnFirstMeeting()
    {
        string path = CopyFixture("mailutils-inbox");
        void SetStatus(int number, string status)
        {
            string file = Path.Combine(path, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllText(file, File.ReadAllText(file).Replace("Subject:", $"Status: {status}\nSubject:", StringComparison.Ordinal));
        }

        SetStatus(1, "RO");
        SetStatus(2, "O");
        SetStatus(3, "ROAd");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }), "UIDs as mailutils numbered them");
        Assert.That(box.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "todo")));
        Assert.That(box.Messages[1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Flagged, "todo")), "O without R: not seen");
        Assert.That(box.Messages[2].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Draft)));
        Assert.That(box.Messages[3].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Flagged)), "no header in a folder GNU kept: new");
        Assert.That(Sequences(path), Does.Contain("unseen: 2 4").And.Contain("replied: 3").And.Contain("draft: 3"));
    }

    [Test]
    public void OurChangesKeepOtherSequencesAndFormat()
    {
        string path = CopyFixture("nmh-inbox");
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "$Label1", "Work"));
            box.Store([2], FlagOperation.Remove, FlagSet.Of(MessageFlags.None, "TODO"));
            box.Store([4], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen | MessageFlags.Deleted));
        }

        Assert.That(Sequences(path), Is.EqualTo("cur: 1\nunseen: 2\nflagged: 2-4\nreplied: 1\ntodo: 3-4\nwork: 3\ndeleted: 4\n"));
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            Assert.That(box.Messages[2].Flags.Keywords, Is.EquivalentTo(new[] { "$Label1", "todo", "work" }).Using((IEqualityComparer<string>)StringComparer.OrdinalIgnoreCase),
                "$Label1 lives in the index");
            Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 4 }));
        }

        Assert.That(File.Exists(Path.Combine(path, "4")), Is.False);
        Assert.That(Sequences(path), Is.EqualTo("cur: 1\nunseen: 2\nflagged: 2-3\nreplied: 1\ntodo: 3\nwork: 3\n"));
    }

    [Test]
    public void FilesAddedOrRemovedByOthersAreNoticedBySync()
    {
        string path = CopyFixture("nmh-inbox");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        Drop(path, 5, "by inc");
        File.AppendAllText(Path.Combine(path, ".mh_sequences"), "urgent: 5\n");
        File.Delete(Path.Combine(path, "2"));
        var changes = box.Sync();
        Assert.That(changes.Expunged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 5 }));
        Assert.That(box.Messages.Last().Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "urgent")));
        Assert.That(box.RecentUids, Does.Contain(5u));
        Assert.That(Read(box, 5), Does.Contain("Subject: by inc\r\n"));
    }

    [Test]
    public void ReusedNumberGetsANewUid()
    {
        string path = CopyFixture("nmh-inbox");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        File.Delete(Path.Combine(path, "4"));
        Drop(path, 4, "new data under an old number"); // ext4 hands the freed inode out again at once
        Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var changes = box.Sync();
        Assert.That(changes.Expunged, Is.EqualTo(new uint[] { 4 }));
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 5 }));
        Assert.That(Read(box, 5), Does.Contain("new data"));
    }

    [Test]
    public void RewrittenFileWithSameInodeSizeAndMtimeIsANewMessage()
    {
        string path = CopyFixture("nmh-inbox");
        string file = Path.Combine(path, "4");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        // What a new file on a reused inode, written in the same clock tick, looks like: only the
        // ctime and the content differ.
        Assert.That(Syscall.stat(file, out var before), Is.EqualTo(0));
        byte[] data = File.ReadAllBytes(file);
        Array.Reverse(data);
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write(data);
        }

        var times = new[]
        {
            new Timespec { tv_sec = before.st_atime, tv_nsec = before.st_atime_nsec },
            new Timespec { tv_sec = before.st_mtime, tv_nsec = before.st_mtime_nsec },
        };
        Assert.That(Syscall.utimensat(Syscall.AT_FDCWD, file, times, 0), Is.EqualTo(0));
        Assert.That(Syscall.stat(file, out var after), Is.EqualTo(0));
        Assert.That((after.st_ino, after.st_size, after.st_mtime, after.st_mtime_nsec),
            Is.EqualTo((before.st_ino, before.st_size, before.st_mtime, before.st_mtime_nsec)));
        Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        var changes = box.Sync();
        Assert.That(changes.Expunged, Is.EqualTo(new uint[] { 4 }));
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 5 }));
    }

    [Test]
    public void AFileRewrittenInPlaceIsNotServedUnderTheUidOfItsOldData()
    {
        string path = CopyFixture("nmh-inbox");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        Assert.That(Read(box, 4), Does.Not.Contain("other data"));
        // Same inode, other data: what a session that has not synced yet sees when another one
        // expunged the file and the next APPEND got both its number and its freed inode.
        File.WriteAllText(Path.Combine(path, "4"), "From: x@example.org\nSubject: other data\n\nbody\n");
        var e = Assert.Throws<StorageException>(() => Read(box, 4));
        Assert.That(e!.Error, Is.EqualTo(StorageError.NotFound));
        box.Sync();
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 5 }));
        Assert.That(Read(box, 5), Does.Contain("Subject: other data\r\n"));
    }

    [Test]
    public void ASessionBehindAnotherNeverReadsTheNextAppendUnderAnExpungedUid()
    {
        // The stress run's "uid-reused": session B expunges the highest message and appends; the
        // append takes the same number and (ext4) the same inode; session A, not synced yet,
        // FETCHes the expunged UID. Same size and internal date, so only the data tells them apart.
        string path = _fixture.NewPath("race");
        Driver.Create(path, (UnixFileMode)0x1C0);
        var date = DateTimeOffset.Now;
        using var a = Driver.Open(path, "race", readOnly: false);
        using var b = Driver.Open(path, "race", readOnly: false);
        b.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: m00\r\n\r\nbody\r\n")), FlagSet.Empty, date);
        for (int i = 1; i <= 20; i++)
        {
            a.Sync();
            b.Sync();
            uint last = a.Messages[^1].Uid;
            b.Store([last], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            Assert.That(b.Expunge(), Is.EqualTo(new[] { last }));
            b.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: m{i:D2}\r\n\r\nbody\r\n")), FlagSet.Empty, date);
            try
            {
                string served = Read(a, last);
                Assert.That(served, Does.Contain($"Subject: m{i - 1:D2}\r\n"), $"UID {last} in round {i}");
            }
            catch (StorageException e) when (e.Error == StorageError.NotFound)
            {
            }
        }
    }

    [Test]
    public void DeliveryFoundByExpungeIsReportedByTheNextSync()
    {
        string path = CopyFixture("nmh-inbox");
        using var box = Driver.Open(path, "inbox", readOnly: false);
        box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        box.Sync();
        Drop(path, 5, "delivered just before EXPUNGE");
        Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 1 }));
        var changes = box.Sync();
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 5 }));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 2, 3, 4, 5 }));
    }

    [Test]
    public void PackRenumberingKeepsUidsOnTheirData()
    {
        string path = CopyFixture("nmh-inbox");
        uint validity;
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            validity = box.UidValidity;
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            box.Expunge();
        }

        // What "folder -pack" does: 3 -> 2, 4 -> 3 (rename keeps inode and mtime), sequences renumbered.
        File.Move(Path.Combine(path, "3"), Path.Combine(path, "2"));
        File.Move(Path.Combine(path, "4"), Path.Combine(path, "3"));
        File.WriteAllText(Path.Combine(path, ".mh_sequences"), "cur: 1\nunseen: 3\nflagged: 3\nreplied: 1\n");
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(validity));
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3, 4 }));
            Assert.That(Read(box, 3), Does.Contain("Subject: message 3"));
            Assert.That(Read(box, 4), Does.Contain("Subject: message 4"));
            Assert.That(box.Messages[2].Flags.System, Is.EqualTo(MessageFlags.Flagged));
            uint next = box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: after pack\n\nx\n")), FlagSet.Empty, DateTimeOffset.Now);
            Assert.That(next, Is.EqualTo(5u), "UIDs keep growing even though the file is number 4");
            Assert.That(File.ReadAllText(Path.Combine(path, "4")), Does.Contain("after pack"));
        }
    }

    [Test]
    public void CrashLeftoversAreNeverMessagesAndOldOnesAreRemoved()
    {
        string path = CopyFixture("nmh-inbox");
        Directory.CreateDirectory(Path.Combine(path, ".imap4d"));
        File.WriteAllText(Path.Combine(path, ".imap4d/tmp.99999.abc"), "Subject: half written\n");
        File.WriteAllText(Path.Combine(path, ".imap4d/index.tmp.99999"), "garbage");
        File.WriteAllText(Path.Combine(path, ".imap4d/index"), "torn index");
        var age = MhFolder.LeftoverAge;
        MhFolder.LeftoverAge = TimeSpan.Zero;
        try
        {
            Thread.Sleep(10);
            using var box = Driver.Open(path, "inbox", readOnly: false);
            Assert.That(box.Messages, Has.Count.EqualTo(4));
        }
        finally
        {
            MhFolder.LeftoverAge = age;
        }

        Assert.That(File.Exists(Path.Combine(path, ".imap4d/tmp.99999.abc")), Is.False);
        Assert.That(File.Exists(Path.Combine(path, ".imap4d/index.tmp.99999")), Is.False);
    }

    [Test]
    public void TornSequencesRewriteIsCompletedFromTheJournal()
    {
        string path = CopyFixture("nmh-inbox");
        const string intended = "cur: 1\nunseen: 2 4\nflagged: 2-4\nreplied: 1\ntodo: 2-4\n";
        Directory.CreateDirectory(Path.Combine(path, ".imap4d"));
        File.WriteAllText(Path.Combine(path, ".imap4d/seq-journal"), intended);
        File.WriteAllText(Path.Combine(path, ".mh_sequences"), "cur: 1\nunseen: 2");
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            Assert.That(box.Messages[2].Flags.Has(MessageFlags.Flagged), Is.True);
        }

        Assert.That(Sequences(path), Is.EqualTo(intended));
        Assert.That(File.Exists(Path.Combine(path, ".imap4d/seq-journal")), Is.False);
    }

    [Test]
    public void DetectWantsNumbersOrSequences()
    {
        string empty = _fixture.NewPath("empty");
        Directory.CreateDirectory(empty);
        Assert.That(Driver.Detect(empty), Is.False);
        Drop(empty, 7, "x");
        Assert.That(Driver.Detect(empty), Is.True);
        string created = _fixture.NewPath("created");
        Driver.Create(created, (UnixFileMode)0x180);
        Assert.That(Mono.Unix.Native.Syscall.stat(created, out var st), Is.Zero);
        Assert.That((int)st.st_mode & 0x1FF, Is.EqualTo(0x1C0));
        Assert.That(File.Exists(Path.Combine(created, ".mh_sequences")), Is.True);
    }

    [Test]
    public void NmhReadsOurChanges()
    {
        const string mark = "/usr/bin/mh/mark";
        if (!File.Exists(mark))
        {
            Assert.Ignore("nmh is not installed");
        }

        string home = _fixture.NewPath("home");
        string path = Path.Combine(home, "Mail", "inbox");
        Directory.CreateDirectory(Path.Combine(home, "Mail"));
        File.WriteAllText(Path.Combine(home, ".mh_profile"), "Path: Mail\nUnseen-Sequence: unseen\n");
        Driver.Create(path, (UnixFileMode)0x180);
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            for (int i = 1; i <= 4; i++)
            {
                box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: n{i}\r\n\r\nbody\r\n")), FlagSet.Empty, DateTimeOffset.Now);
            }

            box.Sync();
            box.Store([2, 3], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen | MessageFlags.Flagged));
        }

        string Run(string program, params string[] args)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = path };
            start.Environment["HOME"] = home;
            start.Environment["MH"] = Path.Combine(home, ".mh_profile");
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return output;
        }

        string list = Run(mark, "+inbox", "-list");
        TestContext.Out.WriteLine(list);
        Assert.That(list, Does.Contain("unseen: 1 4").And.Contain("flagged: 2-3"));
        Assert.That(Run("/usr/bin/mh/scan", "+inbox", "-format", "%(msg) %{subject}"), Does.Contain("3 n3"));

        // And nmh's changes come back to us.
        Run(mark, "+inbox", "-sequence", "replied", "-add", "4");
        Run("/usr/bin/mh/rmm", "+inbox", "1");
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 2, 3, 4 }));
            Assert.That(box.Messages[2].Flags.Has(MessageFlags.Answered), Is.True);
        }
    }

    [Test]
    public void TwentyThousandMessagesOpenFromTheIndex()
    {
        const int count = 20_000;
        string path = _fixture.NewPath("big");
        Driver.Create(path, (UnixFileMode)0x180);
        var old = DateTime.UtcNow.AddDays(-1);
        for (int i = 1; i <= count; i++)
        {
            string file = Path.Combine(path, i.ToString());
            File.WriteAllText(file, $"From: bulk@example.org\nSubject: bulk {i}\n\nline one\nline two\n");
            File.SetLastWriteTimeUtc(file, old);
        }

        File.WriteAllText(Path.Combine(path, ".mh_sequences"), $"unseen: 1-{count / 2}\nflagged: 7\n");
        File.SetLastWriteTimeUtc(Path.Combine(path, ".mh_sequences"), old);
        Directory.CreateDirectory(Path.Combine(path, ".imap4d"));
        Directory.SetLastWriteTimeUtc(path, old);

        var watch = Stopwatch.StartNew();
        using (var box = Driver.Open(path, "big", readOnly: false))
        {
            TestContext.Out.WriteLine($"first open (scan + measure {count} files): {watch.ElapsedMilliseconds} ms");
            Assert.That(box.Messages, Has.Count.EqualTo(count));
        }

        watch.Restart();
        using (var box = Driver.Open(path, "big", readOnly: true))
        {
            TestContext.Out.WriteLine($"re-open from the index: {watch.ElapsedMilliseconds} ms");
            Assert.That(box.Messages, Has.Count.EqualTo(count));
            watch.Restart();
            Assert.That(box.Sync().IsEmpty, Is.True);
            TestContext.Out.WriteLine($"idle Sync: {watch.Elapsed.TotalMilliseconds:F2} ms");
            Drop(path, count + 1, "new");
            watch.Restart();
            Assert.That(box.Sync().Added, Is.EqualTo(new uint[] { count + 1 }));
            TestContext.Out.WriteLine($"Sync after a delivery (readdir + stat all): {watch.ElapsedMilliseconds} ms");
            watch.Restart();
            Assert.That(box.Sync().IsEmpty, Is.True);
            TestContext.Out.WriteLine($"idle Sync: {watch.Elapsed.TotalMilliseconds:F2} ms");
            Assert.That(box.Messages[6].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Flagged)));
            Assert.That(box.Messages[count - 1].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen)));
        }

        watch.Restart();
        var status = Driver.GetStatus(path);
        TestContext.Out.WriteLine($"STATUS: {watch.ElapsedMilliseconds} ms");
        Assert.That(status.Unseen, Is.EqualTo((uint)count / 2));
    }

    [Test]
    public void AppendManyChecksTheFolderOnceAndWritesEveryMessage()
    {
        string path = _fixture.NewPath("many");
        Driver.Create(path, (UnixFileMode)0x180);
        Drop(path, 7, "already there");
        using var box = (MhMailbox)Driver.Open(path, "many", readOnly: false);
        int scans = box.ScanCount;
        var date = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var uids = ((IMailbox)box).AppendMany(Enumerable.Range(0, 60).Select(i => new AppendItem(
            () => new MemoryStream(Encoding.ASCII.GetBytes($"Subject: copy {i}\r\n\r\nbody {i}\r\n")),
            i % 2 == 0 ? FlagSet.Of(MessageFlags.Seen) : FlagSet.Of(MessageFlags.Flagged), date)));
        Assert.That(box.ScanCount - scans, Is.LessThanOrEqualTo(1), "one Append per message re-checked the folder 60 times");
        Assert.That(uids, Is.EqualTo(Enumerable.Range(8, 60).Select(i => (uint)i)));
        Assert.That(Directory.GetFiles(path).Select(Path.GetFileName).Count(n => int.TryParse(n, out _)), Is.EqualTo(61));
        Assert.That(Directory.GetFiles(Path.Combine(path, ".imap4d"), "tmp.*"), Is.Empty, "no temp file left");
        Assert.That(File.ReadAllText(Path.Combine(path, "10")), Is.EqualTo("Subject: copy 2\n\nbody 2\n"));
        Assert.That(Sequences(path), Does.Contain("flagged: 9 11"));

        box.Sync();
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 7 }.Concat(uids)));
        Assert.That(box.Messages[1].Flags.Has(MessageFlags.Seen), Is.True);
        Assert.That(box.Messages[2].Flags.Has(MessageFlags.Flagged), Is.True);
        Assert.That(Read(box, 10), Is.EqualTo("Subject: copy 2\r\n\r\nbody 2\r\n"));
        Assert.That(box.Messages[3].InternalDate, Is.EqualTo(date));
    }

    [Test]
    public void AFolderJustCopiedInWithOldMtimesIsTrustedAtOnce()
    {
        // A folder copied with its dates (cp -p, rsync -t, a chown afterwards): every ctime is recent,
        // no mtime is. Files that old are not being written, so the first sync's listing is kept.
        string path = _fixture.NewPath("copied");
        Driver.Create(path, (UnixFileMode)0x180);
        for (int i = 1; i <= 20; i++)
        {
            Drop(path, i, "m" + i);
            File.SetLastWriteTimeUtc(Path.Combine(path, i.ToString()), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        Thread.Sleep(20); // the ctimes lie in an earlier clock tick (settled), not 2 s back
        using var box = (MhMailbox)Driver.Open(path, "copied", readOnly: false);
        Thread.Sleep(20); // the first open wrote .mu-prop into the folder: its stamp settles a tick later
        box.Sync();
        int scans = box.ScanCount;
        box.Sync();
        box.Sync();
        Assert.That(box.ScanCount - scans, Is.Zero, "every session of a folder's first two seconds stat'ed all its files again");
        using var other = (MhMailbox)Driver.Open(path, "copied", readOnly: false);
        Assert.That(other.ScanCount, Is.Zero);
        Assert.That(other.Messages.Select(m => m.InternalDate.Year), Is.All.EqualTo(2024));
    }

    [Test]
    public void TheSyncAfterAFirstSelectListsTheFolderButStatsNoFile()
    {
        string path = _fixture.NewPath("firstSelect");
        Driver.Create(path, (UnixFileMode)0x180);
        for (int i = 1; i <= 50; i++)
        {
            Drop(path, i, "m" + i);
            File.SetLastWriteTimeUtc(Path.Combine(path, i.ToString()), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        Thread.Sleep(20); // settled ctimes
        using var box = (MhMailbox)Driver.Open(path, "firstSelect", readOnly: false);
        Assert.That(File.Exists(Path.Combine(path, ".mu-prop")), Is.True, "the first open wrote .mu-prop into the folder");
        int scans = box.ScanCount;
        Assert.That(box.Sync().IsEmpty, Is.True);
        Assert.That(box.ScanCount - scans, Is.Zero, "the .mu-prop write changed the folder's stamp: the next sync stat'ed every message");

        // A message another program adds right after is still found.
        Drop(path, 51, "from inc");
        Assert.That(box.Sync().Added, Is.EqualTo(new uint[] { 51 }));
    }

    [Test]
    public void APendingListingOnceConfirmedIsTrustedByEveryLaterSession()
    {
        string path = _fixture.NewPath("confirmed");
        Driver.Create(path, (UnixFileMode)0x180);
        for (int i = 1; i <= 50; i++)
        {
            Drop(path, i, "m" + i);
            File.SetLastWriteTimeUtc(Path.Combine(path, i.ToString()), new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        Thread.Sleep(20);
        using (var first = (MhMailbox)Driver.Open(path, "confirmed", readOnly: false))
        {
            // Its .mu-prop write left the folder's stamp pending.
        }

        Thread.Sleep(20); // that stamp settles
        using (var second = (MhMailbox)Driver.Open(path, "confirmed", readOnly: false))
        {
            Assert.That(second.ListCount, Is.EqualTo(1), "one listing confirms the pending stamp");
            Assert.That(second.ScanCount, Is.Zero);
        }

        using var third = (MhMailbox)Driver.Open(path, "confirmed", readOnly: false);
        Assert.That(third.ListCount, Is.Zero, "the confirmed stamp was not saved: every session listed the folder again");
        Assert.That(third.Messages, Has.Count.EqualTo(50));
    }

    [Test]
    public void AfterAStoreOnALargeFolderTheNextSyncsReadNothing()
    {
        string path = _fixture.NewPath("large");
        Driver.Create(path, (UnixFileMode)0x180);
        for (int i = 1; i <= 1200; i++)
        {
            Drop(path, i, "m" + i);
        }

        Thread.Sleep(2100); // message files must be older than MhFolder.FreshNs to be trusted by their stat
        using var box = (MhMailbox)Driver.Open(path, "large", readOnly: false);
        box.Store(box.Messages.Select(m => m.Uid).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
        box.Sync(); // the session's poll after STORE
        int scans = box.ScanCount;
        int reads = box.SequenceReads;
        for (int i = 0; i < 3; i++)
        {
            Assert.That(box.Sync().FlagsChanged, Is.Empty);
        }

        Assert.That(box.SequenceReads - reads, Is.Zero, "every sync after a STORE read and applied .mh_sequences for 2 s");
        Assert.That(box.ScanCount - scans, Is.Zero);

        // A later change by nmh still shows.
        string sequences = File.ReadAllText(Path.Combine(path, ".mh_sequences"));
        File.WriteAllText(Path.Combine(path, ".mh_sequences"), sequences.Replace("flagged: 1-1200", "flagged: 1-1199"));
        var changes = box.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 1200 }));
        Assert.That(box.Messages[^1].Flags.Has(MessageFlags.Flagged), Is.False);
    }

    private static AppendItem Item(int i) => new(
        () => new MemoryStream(Encoding.ASCII.GetBytes($"Subject: m {i}\r\n\r\nbody {i}\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);

    [Test]
    public void AppendsToALargeFolderLeaveItsListingTrusted()
    {
        string path = _fixture.NewPath("appends");
        Driver.Create(path, (UnixFileMode)0x180);
        using (var filler = (IMailbox)Driver.OpenForAppend(path, "appends"))
        {
            filler.AppendMany(Enumerable.Range(0, 1100).Select(Item));
        }

        using var box = (MhMailbox)Driver.OpenForAppend(path, "appends");
        int scans = box.ScanCount; // the filler's folder state, kept by the driver for the next append
        for (int i = 0; i < 4; i++)
        {
            ((IMailbox)box).Append(Item(2000 + i).Open(), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        Assert.That(box.ScanCount - scans, Is.LessThanOrEqualTo(1), "every APPEND stat'ed every file of the folder again after its own link");
        using (var other = (MhMailbox)Driver.Open(path, "appends", readOnly: true))
        {
            Assert.That(other.ScanCount, Is.Zero, "another session reads the index without a rescan");
            Assert.That(other.Messages, Has.Count.EqualTo(1104));
        }

        // A message another program adds afterwards is still found.
        Drop(path, 5000, "from nmh");
        using var later = (MhMailbox)Driver.Open(path, "appends", readOnly: true);
        Assert.That(later.Messages, Has.Count.EqualTo(1105));
        Assert.That(Read(later, later.Messages[^1].Uid), Does.Contain("from nmh"));
    }

    [Test]
    public void AppendsOneByOneToALargeFolderNeitherListNorWaitAndTheNextReaderListsOnce()
    {
        string path = _fixture.NewPath("quickAppends");
        Driver.Create(path, (UnixFileMode)0x180);
        using (var filler = (IMailbox)Driver.OpenForAppend(path, "quickAppends"))
        {
            filler.AppendMany(Enumerable.Range(0, 1100).Select(Item));
        }

        int lists = -1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 40; i++)
        {
            using var box = (MhMailbox)Driver.OpenForAppend(path, "quickAppends");
            lists = lists < 0 ? box.ListCount : lists;
            ((IMailbox)box).Append(Item(3000 + i).Open(), FlagSet.Of(MessageFlags.Seen), DateTimeOffset.UtcNow);
            if (i == 20)
            {
                Drop(path, 9000, "from inc, between two APPENDs");
            }

            if (i == 19)
            {
                // Before: the clock tick waited out and the folder listed after every APPEND (4 ms and a readdir each).
                Assert.That(box.ListCount - lists, Is.LessThanOrEqualTo(2), "every APPEND listed the folder");
            }
        }

        TestContext.Out.WriteLine($"40 APPENDs to a folder of 1100: {watch.ElapsedMilliseconds} ms");
        using var reader = (MhMailbox)Driver.Open(path, "quickAppends", readOnly: true);
        Assert.That(reader.Messages, Has.Count.EqualTo(1141), "the message inc added between two APPENDs is found");
        Assert.That(Read(reader, 9000), Does.Contain("from inc"));
        Assert.That(reader.Messages.Select(m => m.Uid), Is.Ordered.Ascending);
    }

    private static long InodeOf(string file) => Syscall.stat(file, out var st) == 0 ? (long)st.st_ino : -1;

    [Test]
    public void AppendsOneByOneGrowTheIndexInPlaceAndForeignChangesAreSeenByTheNextSync()
    {
        string path = _fixture.NewPath("oneByOne");
        Driver.Create(path, (UnixFileMode)0x180);
        string indexPath = Path.Combine(path, MhFolder.IndexFileName);
        var uids = new List<uint>();
        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(10); // a client's round trip: our last links' stamp is settled by the next APPEND
            using var target = (IMailbox)Driver.OpenForAppend(path, "oneByOne");
            uids.Add(target.Append(Item(i).Open(), FlagSet.Of(MessageFlags.Seen), DateTimeOffset.UtcNow));
        }

        long inode = InodeOf(indexPath);
        Thread.Sleep(10);
        using (var target = (IMailbox)Driver.OpenForAppend(path, "oneByOne"))
        {
            uids.Add(target.Append(Item(3).Open(), FlagSet.Of(MessageFlags.Seen), DateTimeOffset.UtcNow));
        }

        Assert.That(InodeOf(indexPath), Is.EqualTo(inode), "the index grew in place, not rewritten whole");
        Assert.That(uids, Is.EqualTo(new uint[] { 1, 2, 3, 4 }));

        // Right after our APPEND, nmh adds a message and rewrites .mh_sequences without our lock.
        Drop(path, 5, "from inc");
        File.WriteAllText(Path.Combine(path, ".mh_sequences"), "flagged: 5\nunseen: 2\n");
        using (var target = (IMailbox)Driver.OpenForAppend(path, "oneByOne"))
        {
            uids.Add(target.Append(Item(5).Open(), FlagSet.Of(MessageFlags.Seen), DateTimeOffset.UtcNow));
        }

        Assert.That(uids[^1], Is.EqualTo(6u), "the number inc took is not reused");
        using var box = Driver.Open(path, "oneByOne", readOnly: false);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(box.Messages[4].Flags.Has(MessageFlags.Flagged), Is.True);
        Assert.That(box.Messages[1].Flags.Has(MessageFlags.Seen), Is.False, "unseen: 2 written by nmh");
        Assert.That(box.Messages[5].Flags.Has(MessageFlags.Seen), Is.True);
        Assert.That(Read(box, 5), Does.Contain("from inc"));
        Assert.That(Imap4d.Storage.Index.MailboxIndex.TryLoad(indexPath)?.Records.Select(r => r.Uid),
            Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6 }));

        // And a message nmh adds right after an APPEND in place, with nothing after it, is found by the next sync.
        using (var target = (IMailbox)Driver.OpenForAppend(path, "oneByOne"))
        {
            target.Append(Item(7).Open(), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        Drop(path, 8, "second inc");
        var changes = box.Sync();
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 7, 8 }));
        Assert.That(Read(box, 8), Does.Contain("second inc"));
    }

    [Test]
    public void AnIndexGrownInPlaceLoadsLikeOneWrittenWholeAndATornOneIsRefused()
    {
        string file = Path.Combine(_fixture.NewPath("idx"), "index");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var index = new Imap4d.Storage.Index.MailboxIndex { UidValidity = 7, UidNext = 3 };
        IndexRecordsAdd(index, 1, FlagSet.Of(MessageFlags.Seen, ["todo"]));
        index.Save(file);
        var grown = Imap4d.Storage.Index.MailboxIndex.TryLoad(file)!;
        IndexRecordsAdd(grown, 2, FlagSet.Of(MessageFlags.Flagged, ["todo"]));
        IndexRecordsAdd(grown, 3, FlagSet.Empty);
        grown.UidNext = 4;
        Assert.That(grown.TryAppendInPlace(file, 1), Is.True);
        var loaded = Imap4d.Storage.Index.MailboxIndex.TryLoad(file)!;
        Assert.That(loaded.UidNext, Is.EqualTo(4u));
        Assert.That(loaded.Records.Select(r => (r.Uid, r.Key, r.Flags.Has(MessageFlags.Flagged), r.Flags.Keywords.Count)),
            Is.EqualTo(new[] { (1u, "1", false, 1), (2u, "2", true, 1), (3u, "3", false, 0) }));

        IndexRecordsAdd(grown, 4, FlagSet.Of(MessageFlags.Seen, ["new-keyword"]));
        Assert.That(grown.TryAppendInPlace(file, 3), Is.False, "a keyword the file's table lacks: written whole");

        // Killed after the records were written but before the count: refused, rebuilt from the mail.
        byte[] bytes = File.ReadAllBytes(file);
        loaded.Records.Add(grown.Records[2] with { Uid = 9, Key = "9" });
        Assert.That(loaded.TryAppendInPlace(file, 3), Is.True);
        byte[] after = File.ReadAllBytes(file);
        Array.Copy(bytes, after, 12 + 84 + 4 + 5 + 4); // header, keyword table ("todo") and count as before
        File.WriteAllBytes(file, after);
        Assert.That(Imap4d.Storage.Index.MailboxIndex.TryLoad(file), Is.Null);
    }

    private static void IndexRecordsAdd(Imap4d.Storage.Index.MailboxIndex index, uint uid, FlagSet flags) =>
        index.Records.Add(new Imap4d.Storage.Index.IndexRecord(uid, flags, DateTimeOffset.UnixEpoch, 10, uid, uid.ToString(), Length: 10, Extra: [1, 2]));

    [Test]
    public void AFolderDeletedAndMadeAgainBetweenAppendsGetsItsOwnModSeqCounter()
    {
        string path = _fixture.NewPath("again");
        Driver.Create(path, (UnixFileMode)0x180);
        using (var target = (IMailbox)Driver.OpenForAppend(path, "again"))
        {
            target.Append(Item(1).Open(), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        Directory.Delete(path, recursive: true);
        Driver.Create(path, (UnixFileMode)0x180);
        using (var target = (IMailbox)Driver.OpenForAppend(path, "again"))
        {
            Assert.That(target.Append(Item(2).Open(), FlagSet.Empty, DateTimeOffset.UtcNow), Is.EqualTo(1u));
        }

        Assert.That(File.Exists(Path.Combine(path, MhFolder.IndexFileName + ".modseq")), Is.True,
            "the counter kept for the old folder skipped the new folder's MODSEQ floor");
        using var box = Driver.Open(path, "again", readOnly: true);
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1 }));
    }
}
