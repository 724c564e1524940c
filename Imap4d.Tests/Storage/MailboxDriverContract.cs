using System.Text;
using Imap4d.Storage;

namespace Imap4d.Tests.Storage;

/// <summary>
/// What every mailbox driver must do, run against each of them (the cases mailutils repeats
/// in libproto/{mbox,maildir,mh}/tests). Drivers add their own fixture to the list below.
/// </summary>
[TestFixture(typeof(MemoryDriverFixture))]
public class MailboxDriverContract<TFixture> where TFixture : IDriverFixture, new()
{
    private static readonly DateTimeOffset Date1 = new(2024, 3, 5, 10, 20, 30, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Date2 = new(2025, 12, 31, 23, 59, 59, TimeSpan.Zero);

    private TFixture _fixture = default!;

    private IMailboxDriver Driver => _fixture.Driver;

    [SetUp]
    public void SetUp() => _fixture = new TFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    public static byte[] Message(string subject, string body = "Hello.\r\n") =>
        Encoding.UTF8.GetBytes($"From: a@example.org\r\nTo: b@example.org\r\nSubject: {subject}\r\nDate: Tue, 5 Mar 2024 10:20:30 +0100\r\n\r\n{body}");

    private string NewMailbox(string name = "box")
    {
        string path = _fixture.NewPath(name);
        Driver.Create(path, (UnixFileMode)0x180);
        return path;
    }

    private static uint Append(IMailbox box, byte[] content, FlagSet? flags = null, DateTimeOffset? date = null) =>
        box.Append(new MemoryStream(content), flags ?? FlagSet.Empty, date ?? Date1);

    private static byte[] Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Test]
    public void NewMailboxIsEmptyAndDetected()
    {
        string path = NewMailbox();
        Assert.That(Driver.Detect(path), Is.True);
        using var box = Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Messages, Is.Empty);
        Assert.That(box.UidValidity, Is.Not.Zero);
        Assert.That(box.UidNext, Is.EqualTo(1u));
    }

    [Test]
    public void CreatingTwiceFails()
    {
        string path = NewMailbox();
        var e = Assert.Throws<StorageException>(() => Driver.Create(path, (UnixFileMode)0x180));
        Assert.That(e!.Error, Is.EqualTo(StorageError.AlreadyExists));
    }

    [Test]
    public void AppendedMessagesComeBackExactly()
    {
        string path = NewMailbox();
        var contents = new[]
        {
            Message("one"),
            Message("two", "From the start of a line\r\n>From quoted already\r\n\r\nFrom again\r\n"),
            Message("three", "8-bit: \u00e9\u00e8 and a NUL \0 byte\r\n"),
        };
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            var uids = contents.Select(c => Append(box, c, FlagSet.Of(MessageFlags.Seen), Date2)).ToList();
            Assert.That(uids, Is.EqualTo(new uint[] { 1, 2, 3 }));
            var changes = box.Sync();
            Assert.That(changes.Added, Is.EqualTo(uids));
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(uids));
            for (int i = 0; i < contents.Length; i++)
            {
                Assert.That(Read(box, uids[i]), Is.EqualTo(contents[i]), $"message {i + 1} changed");
                Assert.That(box.Messages[i].Size, Is.EqualTo(contents[i].Length));
                Assert.That(box.Messages[i].Flags.Has(MessageFlags.Seen), Is.True);
                Assert.That(box.Messages[i].InternalDate.ToUnixTimeSeconds(), Is.EqualTo(Date2.ToUnixTimeSeconds()));
            }
        }

        using (var again = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
            for (int i = 0; i < contents.Length; i++)
            {
                Assert.That(Read(again, (uint)i + 1), Is.EqualTo(contents[i]), $"message {i + 1} changed after reopening");
            }
        }
    }

    [Test]
    public void LfOnlyMessagesAreServedWithCrlf()
    {
        string path = NewMailbox();
        using var box = Driver.Open(path, "box", readOnly: false);
        uint uid = Append(box, Encoding.ASCII.GetBytes("Subject: lf\n\nline one\nline two\n"));
        box.Sync();
        Assert.That(Encoding.ASCII.GetString(Read(box, uid)), Is.EqualTo("Subject: lf\r\n\r\nline one\r\nline two\r\n"));
        Assert.That(box.Messages[0].Size, Is.EqualTo(35));
    }

    [Test]
    public void UidsAndUidValidityAreStableAcrossSessions()
    {
        string path = NewMailbox();
        uint validity;
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            validity = box.UidValidity;
            Append(box, Message("a"));
            Append(box, Message("b"));
        }

        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(box.UidValidity, Is.EqualTo(validity));
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
            Assert.That(box.UidNext, Is.EqualTo(3u));
        }
    }

    [Test]
    public void FlagsAndKeywordsPersist()
    {
        string path = NewMailbox();
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Append(box, Message("a"));
            Append(box, Message("b"));
            box.Sync();
            var changed = box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged | MessageFlags.Answered, "$Label1"));
            Assert.That(changed.Select(m => m.Uid), Is.EqualTo(new uint[] { 1 }));
            Assert.That(changed[0].Flags.Has(MessageFlags.Flagged | MessageFlags.Answered), Is.True);
            box.Store([2], FlagOperation.Replace, FlagSet.Of(MessageFlags.Draft | MessageFlags.Seen));
            box.Store([2], FlagOperation.Remove, FlagSet.Of(MessageFlags.Seen));
            Assert.That(box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Draft)), Is.Empty, "no change, nothing reported");
        }

        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            var first = box.Messages[0].Flags;
            Assert.That(first.System, Is.EqualTo(MessageFlags.Flagged | MessageFlags.Answered));
            if (box.SupportsKeywords)
            {
                Assert.That(first.Keywords, Is.EquivalentTo(new[] { "$Label1" }));
                Assert.That(box.Keywords, Does.Contain("$Label1"));
            }

            Assert.That(box.Messages[1].Flags.System, Is.EqualTo(MessageFlags.Draft));
        }
    }

    [Test]
    public void ExpungeRemovesOnlyDeletedMessagesAndUidsAreNotReused()
    {
        string path = NewMailbox();
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            for (int i = 1; i <= 5; i++)
            {
                Append(box, Message("m" + i));
            }

            box.Sync();
            box.Store([2, 4, 5], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            Assert.That(box.Expunge([4]), Is.EqualTo(new uint[] { 4 }), "UID EXPUNGE limits the set");
            Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 2, 5 }));
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
            Assert.That(Encoding.ASCII.GetString(Read(box, 3)), Does.Contain("Subject: m3"));
        }

        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
            Assert.That(Append(box, Message("m6")), Is.EqualTo(6u));
        }
    }

    [Test]
    public void CopyKeepsFlagsDatesAndContent()
    {
        string source = NewMailbox("source");
        string target = NewMailbox("target");
        using var from = Driver.Open(source, "source", readOnly: false);
        using var to = Driver.Open(target, "target", readOnly: false);
        Append(from, Message("a"), FlagSet.Of(MessageFlags.Seen), Date1);
        Append(from, Message("b"), FlagSet.Of(MessageFlags.Flagged), Date2);
        Append(to, Message("existing"));
        from.Sync();
        var map = from.CopyTo([1, 2], to);
        Assert.That(map, Is.EqualTo(new[] { (1u, 2u), (2u, 3u) }));
        to.Sync();
        Assert.That(to.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(to.Messages[1].Flags.System, Is.EqualTo(MessageFlags.Seen));
        Assert.That(to.Messages[2].Flags.System, Is.EqualTo(MessageFlags.Flagged));
        Assert.That(to.Messages[2].InternalDate.ToUnixTimeSeconds(), Is.EqualTo(Date2.ToUnixTimeSeconds()));
        Assert.That(Read(to, 3), Is.EqualTo(Message("b")));
    }

    /// <summary>
    /// Many messages in one call (COPY's path): consecutive UIDs, each message exact (including
    /// ones that need mbox quoting or a Content-Length), in a new and then in a non-empty mailbox,
    /// and the UIDs survive reopening (mbox: X-IMAPbase and X-UID written for the whole batch).
    /// </summary>
    [Test]
    public void AppendManyGivesConsecutiveUidsAndExactContent()
    {
        string path = NewMailbox();
        var contents = Enumerable.Range(1, 7).Select(i => i switch
        {
            3 => Message("three", "From a line start\r\n"),
            5 => Encoding.ASCII.GetBytes("Subject: no final newline\r\n\r\nends here"),
            6 => Encoding.ASCII.GetBytes("Subject: header only\r\n"),
            _ => Message("m" + i),
        }).ToArray();
        var flags = new[] { FlagSet.Of(MessageFlags.Seen), FlagSet.Of(MessageFlags.Flagged, "Work"), FlagSet.Empty };
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            var first = box.AppendMany(contents.Take(4).Select((c, i) => new AppendItem(() => new MemoryStream(c), flags[i % 3], Date2)));
            Assert.That(first, Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
            var second = box.AppendMany(contents.Skip(4).Select((c, i) => new AppendItem(() => new MemoryStream(c), flags[(i + 4) % 3], Date1)));
            Assert.That(second, Is.EqualTo(new uint[] { 5, 6, 7 }));
            Assert.That(box.AppendMany([]), Is.Empty);
        }

        using var again = Driver.Open(path, "box", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6, 7 }));
        Assert.That(again.UidNext, Is.EqualTo(8u));
        for (int i = 0; i < contents.Length; i++)
        {
            Assert.That(Read(again, (uint)i + 1), Is.EqualTo(contents[i]), $"message {i + 1} changed");
            Assert.That(again.Messages[i].Flags.System, Is.EqualTo(flags[i % 3].System), $"flags of message {i + 1}");
        }

        Assert.That(again.Messages[1].Flags.Keywords, Is.EquivalentTo(new[] { "Work" }));
        Assert.That(Append(again, Message("after")), Is.EqualTo(8u));
    }

    [Test]
    public void ModSeqsGrowWithEveryChangeAndNoTwoSessionsHandOutTheSame()
    {
        string path = NewMailbox();
        using var a = Driver.Open(path, "box", readOnly: false);
        Append(a, Message("1"));
        Append(a, Message("2"));
        Append(a, Message("3"));
        a.Sync();
        ulong start = a.HighestModSeq;
        Assert.That(a.Messages.All(m => m.ModSeq > 0 && m.ModSeq <= start), Is.True, "every MODSEQ within HIGHESTMODSEQ");
        using var b = Driver.Open(path, "box", readOnly: false);
        Assert.That(b.HighestModSeq, Is.EqualTo(start));

        // Neither session has written back; the second change still comes after the first.
        var fromA = a.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        var fromB = b.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
        Assert.That(fromA[0].ModSeq, Is.GreaterThan(start));
        Assert.That(fromB[0].ModSeq, Is.GreaterThan(fromA[0].ModSeq));
        Assert.That(a.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen)), Is.Empty, "no change, no MODSEQ");

        // UNCHANGEDSINCE: message 2 changed after start, message 3 did not.
        var condition = new StoreCondition(start);
        a.Sync();
        var stored = a.Store([2, 3], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered), condition);
        Assert.That(condition.Modified, Is.EqualTo(new uint[] { 2 }));
        Assert.That(stored.Select(m => m.Uid), Is.EqualTo(new uint[] { 3 }));

        ulong beforeExpunge = stored[0].ModSeq;
        a.Store([1, 3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        Assert.That(a.Expunge(), Is.EqualTo(new uint[] { 1, 3 }));
        Assert.That(a.HighestModSeq, Is.GreaterThan(beforeExpunge), "an expunge takes a MODSEQ");
        Assert.That(a.VanishedSince(beforeExpunge)?.ToString(), Is.EqualTo("1,3"));
        a.Checkpoint();

        b.Sync();
        Assert.That(b.HighestModSeq, Is.GreaterThanOrEqualTo(a.HighestModSeq));
        using var c = Driver.Open(path, "box", readOnly: true);
        Assert.That(c.HighestModSeq, Is.EqualTo(b.HighestModSeq));
        Assert.That(c.VanishedSince(beforeExpunge)?.ToString(), Is.EqualTo("1,3"));
        Assert.That(c.VanishedSince(c.HighestModSeq)?.ToString(), Is.EqualTo(""));
        Assert.That(Driver.GetStatus(path).HighestModSeq, Is.EqualTo(c.HighestModSeq));
    }

    [Test]
    public void TwoSessionsSeeEachOthersChanges()
    {
        string path = NewMailbox();
        using var a = Driver.Open(path, "box", readOnly: false);
        Append(a, Message("1"));
        Append(a, Message("2"));
        a.Sync();
        using var b = Driver.Open(path, "box", readOnly: false);
        Assert.That(b.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));

        a.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        a.Checkpoint();
        var seen = b.Sync();
        Assert.That(seen.FlagsChanged, Is.EqualTo(new uint[] { 1 }));
        Assert.That(b.Messages[0].Flags.Has(MessageFlags.Seen), Is.True);

        a.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        a.Expunge();
        Append(a, Message("3"));
        var changes = b.Sync();
        Assert.That(changes.Expunged, Is.EqualTo(new uint[] { 2 }));
        Assert.That(changes.Added, Is.EqualTo(new uint[] { 3 }));
        Assert.That(b.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 3 }));
        Assert.That(Read(b, 3), Is.EqualTo(Message("3")));
    }

    [Test]
    public void RecentBelongsToExactlyOneSession()
    {
        string path = NewMailbox();
        using (var writer = Driver.Open(path, "box", readOnly: true))
        {
            Append(writer, Message("new"));
        }

        Assert.That(Driver.GetStatus(path).Recent, Is.EqualTo(1u));
        using (var first = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(first.RecentUids, Is.EquivalentTo(new uint[] { 1 }));
        }

        using (var second = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(second.RecentUids, Is.Empty);
        }

        Assert.That(Driver.GetStatus(path).Recent, Is.Zero);
    }


    [Test]
    public void ReadOnlySessionSeesRecentWithoutClaimingIt()
    {
        string path = NewMailbox();
        using (var writer = Driver.Open(path, "box", readOnly: true))
        {
            Append(writer, Message("one"));
            Append(writer, Message("two"));
        }

        // EXAMINE (RFC 3501 §6.3.2) reports the recent messages and leaves them recent.
        using (var examined = Driver.Open(path, "box", readOnly: true))
        {
            Assert.That(examined.RecentUids, Is.EquivalentTo(new uint[] { 1, 2 }));
        }

        Assert.That(Driver.GetStatus(path).Recent, Is.EqualTo(2u));
        using (var selected = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(selected.RecentUids, Is.EquivalentTo(new uint[] { 1, 2 }));
        }

        using (var examined = Driver.Open(path, "box", readOnly: true))
        {
            Assert.That(examined.RecentUids, Is.Empty);
        }
    }
    [Test]
    public void ReadOnlyMailboxRefusesChanges()
    {
        string path = NewMailbox();
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Append(box, Message("a"));
        }

        using var ro = Driver.Open(path, "box", readOnly: true);
        Assert.That(ro.ReadOnly, Is.True);
        Assert.Throws<StorageException>(() => ro.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen)));
        Assert.Throws<StorageException>(() => ro.Expunge());
    }

    [Test]
    public void StatusCountsWithoutOpening()
    {
        string path = NewMailbox();
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Append(box, Message("a"), FlagSet.Of(MessageFlags.Seen));
            Append(box, Message("b"));
            Append(box, Message("c"));
        }

        var status = Driver.GetStatus(path);
        Assert.That(status.Messages, Is.EqualTo(3u));
        Assert.That(status.Unseen, Is.EqualTo(2u));
        Assert.That(status.UidNext, Is.EqualTo(4u));
        Assert.That(status.UidValidity, Is.Not.Zero);
    }

    [Test]
    public void RenameKeepsMessagesAndDeleteRemoves()
    {
        string path = NewMailbox("old");
        using (var box = Driver.Open(path, "old", readOnly: false))
        {
            Append(box, Message("kept"));
        }

        string renamed = _fixture.NewPath("new");
        Driver.Rename(path, renamed);
        Assert.That(Driver.Detect(path), Is.False);
        using (var box = Driver.Open(renamed, "new", readOnly: false))
        {
            Assert.That(box.Messages, Has.Count.EqualTo(1));
            Assert.That(Read(box, box.Messages[0].Uid), Is.EqualTo(Message("kept")));
        }

        Driver.Delete(renamed);
        Assert.That(Driver.Detect(renamed), Is.False);
    }

    [Test]
    public void ManyMessagesStayOrdered()
    {
        string path = NewMailbox();
        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            for (int i = 0; i < 300; i++)
            {
                Append(box, Message("bulk " + i));
            }
        }

        using (var box = Driver.Open(path, "box", readOnly: false))
        {
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, 300).Select(i => (uint)i)));
            Assert.That(Encoding.ASCII.GetString(Read(box, 300)), Does.Contain("Subject: bulk 299"));
        }
    }
}
