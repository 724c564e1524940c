using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>Maildir specifics: other programs renaming and delivering, keywords, crash leftovers.</summary>
public class MaildirBehaviourTests : MaildirBoxTestBase
{
    private static byte[] Message(string subject) =>
        Encoding.ASCII.GetBytes($"From: a@example.org\r\nSubject: {subject}\r\n\r\nBody of {subject}.\r\n");

    private static uint Append(IMailbox box, string subject, FlagSet? flags = null) =>
        box.Append(new MemoryStream(Message(subject)), flags ?? FlagSet.Empty, Date);

    private static string Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Encoding.ASCII.GetString(copy.ToArray());
    }

    private string[] Files(string dir) =>
        Directory.GetFiles(Path.Combine(_path, dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private void Deliver(string name, string text)
    {
        // An MDA: write to tmp/, then rename into new/.
        string tmp = Path.Combine(_path, "tmp", name);
        File.WriteAllText(tmp, text);
        File.Move(tmp, Path.Combine(_path, "new", name));
    }

    [Test]
    public void AppendWritesLfFilesInCurWithSizesAndFlags()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        Append(box, "one", FlagSet.Of(MessageFlags.Seen | MessageFlags.Draft));
        string name = Files("cur").Single();
        Assert.That(name, Does.Match(@"^\d+\.M\d+P\d+Q\d+\.[^:]+,S=47,W=51,u=1:2,DS$"));
        Assert.That(File.ReadAllText(Path.Combine(_path, "cur", name)), Does.Not.Contain("\r"));
        Assert.That(File.GetLastWriteTimeUtc(Path.Combine(_path, "cur", name)), Is.EqualTo(Date.UtcDateTime));
        Assert.That(Files("tmp"), Is.Empty);
        Assert.That(Files("new"), Is.Empty);
    }

    [Test]
    public void KeywordsAreWrittenToDovecotKeywords()
    {
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Append(box, "one", FlagSet.Of(MessageFlags.Seen, "$Label1"));
            Append(box, "two");
            box.Sync();
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.None, "Work", "$label1"));
        }

        Assert.That(File.ReadAllText(Path.Combine(_path, "dovecot-keywords")), Is.EqualTo("1 $Label1\n2 Work\n"), "'a' is GNU mailutils' \\Answered");
        Assert.That(Files("cur").Select(n => n[(n.IndexOf(':') + 1)..]), Is.EquivalentTo(new[] { "2,Sb", "2,bc" }));
        using var again = _driver.Open(_path, "box", readOnly: false);
        Assert.That(again.Messages[1].Flags.Keywords, Is.EquivalentTo(new[] { "$Label1", "Work" }));
    }

    [Test]
    public void KeywordsAddedByAnotherProgramAreRead()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        Append(box, "one");
        box.Sync();
        File.WriteAllText(Path.Combine(_path, "dovecot-keywords"), "0 Important\n");
        string name = Files("cur").Single();
        File.Move(Path.Combine(_path, "cur", name), Path.Combine(_path, "cur", name[..name.IndexOf(':')] + ":2,Sa"));
        var changes = box.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 1 }));
        Assert.That(box.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "Important")));
    }

    [Test]
    public void UidsSurviveAnotherProgramRenamingFiles()
    {
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Append(box, "a");
            Append(box, "b");
            Append(box, "c");
        }

        using var session = _driver.Open(_path, "box", readOnly: false);
        // mutt marks b seen and c deleted+flagged: it renames x:2, to x:2,S and x:2,FT.
        foreach (string name in Files("cur"))
        {
            string full = Path.Combine(_path, "cur", name);
            if (File.ReadAllText(full).Contains("Subject: b"))
            {
                File.Move(full, full + "S");
            }
            else if (File.ReadAllText(full).Contains("Subject: c"))
            {
                File.Move(full, full + "FT");
            }
        }

        var changes = session.Sync();
        Assert.That(changes.Expunged, Is.Empty);
        Assert.That(changes.Added, Is.Empty);
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 2, 3 }));
        Assert.That(session.Messages.Select(m => m.Flags.System),
            Is.EqualTo(new[] { MessageFlags.None, MessageFlags.Seen, MessageFlags.Flagged | MessageFlags.Deleted }));
        Assert.That(Read(session, 2), Does.Contain("Subject: b"));

        // Our own STORE on a file another program renamed behind our back still finds it.
        string c = Files("cur").Single(n => n.EndsWith("FT", StringComparison.Ordinal));
        File.Move(Path.Combine(_path, "cur", c), Path.Combine(_path, "cur", c[..c.IndexOf(':')] + ":2,FPT"));
        var stored = session.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        Assert.That(stored.Single().Flags.System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Flagged | MessageFlags.Deleted));
        Assert.That(Files("cur"), Has.Some.EndsWith(":2,FPST"), "P (passed) kept");

        using var later = _driver.Open(_path, "box", readOnly: true);
        Assert.That(later.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(Read(later, 3), Does.Contain("Subject: c"));
    }

    [Test]
    public void DeliveriesToNewAreNoticedAndMovedToCur()
    {
        using var session = _driver.Open(_path, "box", readOnly: false);
        Append(session, "a");
        session.Sync();
        Deliver("1700000001.M1P1Q1.mda", "Subject: delivered\n\nHello\n");
        Deliver("1700000000.M1P1Q1.mda", "Subject: earlier\n\nHi\n");
        File.SetLastWriteTimeUtc(Path.Combine(_path, "new", "1700000001.M1P1Q1.mda"), Date.UtcDateTime.AddDays(1));
        File.SetLastWriteTimeUtc(Path.Combine(_path, "new", "1700000000.M1P1Q1.mda"), Date.UtcDateTime);

        using (var reader = _driver.Open(_path, "box", readOnly: true))
        {
            Assert.That(reader.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
            Assert.That(Files("new"), Has.Length.EqualTo(2), "a read-only session leaves new/ alone");
        }

        var changes = session.Sync();
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 2, 3 }), "in order of delivery (as the names tell it)");
        Assert.That(session.RecentUids, Is.EquivalentTo(new uint[] { 1, 2, 3 }));
        Assert.That(Files("new"), Is.Empty);
        Assert.That(Files("cur"), Does.Contain("1700000000.M1P1Q1.mda,u=2:2,"), "the UID for GNU mailutils");
        Assert.That(Read(session, 2), Is.EqualTo("Subject: earlier\r\n\r\nHi\r\n"));
        Assert.That(session.Messages[1].Size, Is.EqualTo(24));
        Assert.That(session.Messages[1].InternalDate, Is.EqualTo(Date));
        Assert.That(Read(session, 3), Does.Contain("delivered"));

        using var other = _driver.Open(_path, "box", readOnly: false);
        Assert.That(other.RecentUids, Is.Empty);
        Assert.That(other.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
    }

    [Test]
    public void ExpungedByAnotherProgramIsNoticed()
    {
        using var session = _driver.Open(_path, "box", readOnly: false);
        Append(session, "a");
        Append(session, "b");
        session.Sync();
        string b = Files("cur").Single(n => File.ReadAllText(Path.Combine(_path, "cur", n)).Contains("Subject: b"));
        File.Delete(Path.Combine(_path, "cur", b));
        Assert.That(session.Sync().Expunged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(Append(session, "c"), Is.EqualTo(3u));
    }

    [Test]
    public void OrphanTmpFilesOlderThan36HoursAreRemoved()
    {
        string old = Path.Combine(_path, "tmp", "1600000000.M1P1.crashed");
        string fresh = Path.Combine(_path, "tmp", "1800000000.M1P1.writing");
        File.WriteAllText(old, "half a message");
        File.WriteAllText(fresh, "being written");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-37));
        File.SetLastAccessTimeUtc(old, DateTime.UtcNow.AddHours(-37));
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(box.Messages, Is.Empty, "tmp/ files are not messages");
        }

        Assert.That(File.Exists(old), Is.False);
        Assert.That(File.Exists(fresh), Is.True);
    }

    private (uint Validity, string[] Subjects) Populate()
    {
        using var box = _driver.Open(_path, "box", readOnly: false);
        for (int i = 1; i <= 5; i++)
        {
            Append(box, "m" + i, FlagSet.Of(i % 2 == 0 ? MessageFlags.Seen : MessageFlags.None));
        }

        box.Sync();
        box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        box.Expunge();
        return (box.UidValidity, ["m1", "m2", "m4", "m5"]);
    }

    private void AssertContents(IMailbox box, uint[] uids, string[] subjects)
    {
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(uids));
        for (int i = 0; i < uids.Length; i++)
        {
            Assert.That(Read(box, uids[i]), Does.Contain("Subject: " + subjects[i] + "\r\n"));
        }
    }

    [TestCase("missing")]
    [TestCase("corrupt")]
    [TestCase("truncated")]
    public void LostIndexIsRebuiltWithTheSameUids(string damage)
    {
        var (validity, subjects) = Populate();
        string index = Path.Combine(_path, "imap4d.index");
        switch (damage)
        {
            case "missing": File.Delete(index); break;
            case "corrupt": File.WriteAllText(index, "garbage"); break;
            default:
                var bytes = File.ReadAllBytes(index);
                File.WriteAllBytes(index, bytes[..(bytes.Length / 2)]);
                break;
        }

        using var box = _driver.Open(_path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(validity));
        AssertContents(box, [1, 2, 4, 5], subjects);
        Assert.That(box.Messages.Select(m => m.Flags.Has(MessageFlags.Seen)), Is.EqualTo(new[] { false, true, true, false }));
        Assert.That(box.UidNext, Is.EqualTo(6u));
        Assert.That(box.RecentUids, Is.Empty, "known messages are not recent again");
    }

    [Test]
    public void ManyShortSessionsEachExpungingOneMessageKeepTheUidListShort()
    {
        // Each session used to drop only lines it had expunged itself, and only past 100:
        // a stress run's many short sessions grew the list to 13,000 lines for 17 messages.
        using (var first = _driver.Open(_path, "box", readOnly: false))
        {
            Append(first, "kept");
        }

        uint last = 0;
        for (int i = 0; i < 400; i++)
        {
            using var box = _driver.Open(_path, "box", readOnly: false);
            uint uid = Append(box, "short " + i);
            Assert.That(uid, Is.GreaterThan(last), "UIDs are never given twice");
            last = uid;
            box.Sync();
            box.Store([uid], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            box.Expunge();
        }

        int lines = File.ReadAllLines(Path.Combine(_path, "imap4d-uidlist")).Length;
        Assert.That(lines, Is.LessThanOrEqualTo(1 + 101 + 1));
        using var after = _driver.Open(_path, "box", readOnly: false);
        after.Sync();
        Assert.That(after.Messages.Select(m => m.Uid), Is.EqualTo(new[] { 1u }));
        Assert.That(Append(after, "next"), Is.EqualTo(last + 1), "UIDNEXT survives the rewrite");
    }

    [Test]
    public void LostUidListIsRebuiltFromTheIndex()
    {
        var (validity, subjects) = Populate();
        File.Delete(Path.Combine(_path, "imap4d-uidlist"));
        using var box = _driver.Open(_path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(validity));
        AssertContents(box, [1, 2, 4, 5], subjects);
        Assert.That(Append(box, "m6"), Is.EqualTo(6u));
    }

    [Test]
    public void CorruptUidListMeansNewUidValidityButNoLoss()
    {
        var (validity, subjects) = Populate();
        File.WriteAllText(Path.Combine(_path, "imap4d-uidlist"), "1 V123 N9\nnonsense line\n");
        using var box = _driver.Open(_path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.GreaterThan(validity));
        Assert.That(box.Messages, Has.Count.EqualTo(4));
        var bySubject = box.Messages.Select(m => Read(box, m.Uid)).ToList();
        foreach (string subject in subjects)
        {
            Assert.That(bySubject, Has.One.Contains("Subject: " + subject + "\r\n"));
        }
    }

    [Test]
    public void TornLastLineOfTheUidListIsIgnored()
    {
        var (validity, subjects) = Populate();
        File.AppendAllText(Path.Combine(_path, "imap4d-uidlist"), "6 12345.M1P");
        using var box = _driver.Open(_path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(validity));
        AssertContents(box, [1, 2, 4, 5], subjects);
        uint uid = Append(box, "m6");
        Assert.That(uid, Is.EqualTo(6u));
        box.Sync();
        using var again = _driver.Open(_path, "box", readOnly: true);
        AssertContents(again, [1, 2, 4, 5, 6], [.. subjects, "m6"]);
    }

    [Test]
    public void ATornUidWithoutItsKeyIsCutOffByTheNextAppendAndKeepsTheUidValidity()
    {
        var (validity, subjects) = Populate();
        string list = Path.Combine(_path, "imap4d-uidlist");
        File.AppendAllText(list, "40");
        using (var box = _driver.Open(_path, "box", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(validity));
            Append(box, "m6");
        }

        Assert.That(File.ReadAllLines(list), Has.None.EqualTo("40"));
        using var again = _driver.Open(_path, "box", readOnly: true);
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        AssertContents(again, [1, 2, 4, 5, 6], [.. subjects, "m6"]);
    }

    [Test]
    public void ConcurrentAppendsNeverShareAUid()
    {
        var boxes = Enumerable.Range(0, 4).Select(_ => _driver.Open(_path, "box", readOnly: false)).ToList();
        try
        {
            var uids = new System.Collections.Concurrent.ConcurrentBag<uint>();
            Parallel.For(0, 4, i =>
            {
                for (int n = 0; n < 50; n++)
                {
                    uids.Add(Append(boxes[i], $"t{i}-{n}"));
                    if (n % 10 == 0)
                    {
                        boxes[i].Sync();
                    }
                }
            });
            Assert.That(uids.Distinct().Count(), Is.EqualTo(200));
            foreach (var box in boxes)
            {
                box.Sync();
                Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, 200).Select(u => (uint)u)));
            }
        }
        finally
        {
            boxes.ForEach(b => b.Dispose());
        }
    }

    [Test]
    public void LargeMessagesStreamWithCrlf()
    {
        var text = new StringBuilder("Subject: big\n\n");
        for (int i = 0; i < 100_000; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }

        Deliver("1700000000.M1P1Q1.big", text.ToString());
        using var box = _driver.Open(_path, "box", readOnly: false);
        string expected = text.ToString().Replace("\n", "\r\n", StringComparison.Ordinal);
        Assert.That(box.Messages[0].Size, Is.EqualTo(expected.Length));
        using var stream = box.OpenContent(1);
        Assert.That(stream.Length, Is.EqualTo(expected.Length));
        Assert.That(new StreamReader(stream, Encoding.ASCII).ReadToEnd(), Is.EqualTo(expected));
    }

    [Test]
    public void SizeComesFromTheWFieldWithoutReading()
    {
        // A W= that disagrees with the content proves that the name, not the file, was used.
        Deliver("1700000000.M1P1Q1.host,S=10,W=999", "Subject: x\n\n");
        using var box = _driver.Open(_path, "box", readOnly: true);
        Assert.That(box.Messages[0].Size, Is.EqualTo(999));
    }
}
