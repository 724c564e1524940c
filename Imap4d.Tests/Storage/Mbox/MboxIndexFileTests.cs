using System.Buffers.Binary;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;
using Mono.Unix;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// The mbox index file (<see cref="MboxIndexFile"/>): written by parts, shared by sessions,
/// read without parsing, and never trusted when it does not check out: a damaged, truncated or
/// half-updated file, or one that no longer describes the mbox, is rebuilt from the mail.
/// </summary>
[TestFixture]
public class MboxIndexFileTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string IndexPath(string path) => MboxTestSupport.IndexPath(_fixture, path);

    private string NewMailbox(int count)
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        for (int i = 1; i <= count; i++)
        {
            MboxTestSupport.Append(box, "m" + i, i % 2 == 0 ? FlagSet.Of(MessageFlags.Seen) : FlagSet.Empty);
        }

        box.Sync();
        box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "Kept"));
        return path;
    }

    private static List<(uint Uid, FlagSet Flags, long Size, string Text)> Snapshot(IMailbox box) =>
        box.Messages.Select(m => (m.Uid, m.Flags, m.Size, MboxTestSupport.Read(box, m.Uid))).ToList();

    private List<(uint Uid, FlagSet Flags, long Size, string Text)> SnapshotOf(string path)
    {
        using var box = _fixture.Driver.Open(path, "box", readOnly: true);
        return Snapshot(box);
    }

    private static MboxMailbox Open(MboxDriverFixture fixture, string path, bool readOnly = false) =>
        (MboxMailbox)fixture.Driver.Open(path, "box", readOnly);

    [Test]
    public void AnAppendAddsOneRecordToTheSameFile()
    {
        string path = NewMailbox(3);
        string index = IndexPath(path);
        long inode = new UnixFileInfo(index).Inode;
        long size = new FileInfo(index).Length;
        Assert.That(size, Is.EqualTo(MboxIndexFile.HeaderSize + 3 * MboxIndexFile.RecordSize));
        using (var box = _fixture.Mbox.OpenForAppend(path, "box"))
        {
            MboxTestSupport.Append(box, "fourth");
        }

        Assert.That(new UnixFileInfo(index).Inode, Is.EqualTo(inode), "written in place, not replaced");
        Assert.That(new FileInfo(index).Length, Is.EqualTo(size + MboxIndexFile.RecordSize));
        Assert.That(new UnixFileInfo(index).FileAccessPermissions, Is.EqualTo(FileAccessPermissions.UserRead | FileAccessPermissions.UserWrite));
        using var again = Open(_fixture, path, readOnly: true);
        Assert.That(again.State.LastRefresh, Is.EqualTo("index"), "no mbox parse: the append left the index current");
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
        Assert.That(MboxTestSupport.Read(again, 4), Does.Contain("Subject: fourth"));
    }

    /// <summary>Few changed records are sorted, many are marked and swept: both are written where they belong.</summary>
    [TestCase(5)]
    [TestCase(90)]
    [TestCase(300)]
    public void ScatteredStoresReachTheIndexInPlace(int changes)
    {
        string path = NewMailbox(300);
        string index = IndexPath(path);
        var random = new Random(changes);
        var uids = Enumerable.Range(1, 300).Select(i => (uint)i).OrderBy(_ => random.Next()).Take(changes).ToList();
        long inode;
        using (var box = Open(_fixture, path))
        {
            inode = new UnixFileInfo(index).Inode;
            box.Store(uids, FlagOperation.Add, FlagSet.Of(MessageFlags.Answered));
            Assert.That(new UnixFileInfo(index).Inode, Is.EqualTo(inode), "written in place, not replaced");
            using var reader = Open(_fixture, path, readOnly: true);
            Assert.That(reader.State.LastRefresh, Is.EqualTo("index"));
            foreach (var message in reader.Messages)
            {
                Assert.That(message.Flags.Has(MessageFlags.Answered), Is.EqualTo(uids.Contains(message.Uid)), $"UID {message.Uid} from the index");
            }
        }

        using var again = Open(_fixture, path, readOnly: true);
        foreach (var message in again.Messages)
        {
            Assert.That(message.Flags.Has(MessageFlags.Answered), Is.EqualTo(uids.Contains(message.Uid)), $"UID {message.Uid}");
            Assert.That(message.Flags.Has(MessageFlags.Seen), Is.EqualTo(message.Uid % 2 == 0), $"UID {message.Uid}");
        }
    }

    [Test]
    public void AStoreRewritesOnlyItsRecordsInPlaceAndOthersSeeIt()
    {
        string path = NewMailbox(4);
        string index = IndexPath(path);
        using var reader = Open(_fixture, path);
        long inode = new UnixFileInfo(index).Inode;
        using (var writer = Open(_fixture, path))
        {
            writer.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered, "Later"));
            Assert.That(new UnixFileInfo(index).Inode, Is.EqualTo(inode), "a STORE writes in place");
        }

        var changes = reader.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 3 }));
        Assert.That(reader.Messages[2].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Answered, "Later")));
        Assert.That(reader.Keywords, Is.SupersetOf(new[] { "Kept", "Later" }));
    }

    [TestCase("record")]
    [TestCase("header")]
    [TestCase("truncated")]
    [TestCase("count")]
    [TestCase("version")]
    public void ADamagedIndexIsRebuiltFromTheMbox(string damage)
    {
        string path = NewMailbox(5);
        var before = SnapshotOf(path);
        uint validity;
        using (var box = _fixture.Driver.Open(path, "box", readOnly: true))
        {
            validity = box.UidValidity;
        }

        string index = IndexPath(path);
        var bytes = File.ReadAllBytes(index);
        switch (damage)
        {
            case "record":
                bytes[MboxIndexFile.HeaderSize + 2 * MboxIndexFile.RecordSize + 4] ^= 0x10; // message 3's flags
                break;
            case "header":
                bytes[52] ^= 0x01; // UIDNEXT
                break;
            case "truncated":
                bytes = bytes[..(MboxIndexFile.HeaderSize + 3 * MboxIndexFile.RecordSize + 17)];
                break;
            case "count":
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(60), 9); // more records than the file holds
                break;
            case "version":
                bytes[8] = 99;
                break;
        }

        File.WriteAllBytes(index, bytes);
        using var again = Open(_fixture, path);
        Assert.That(again.State.LastRefresh, Is.EqualTo("full"), "the mbox was read again");
        Assert.That(Snapshot(again), Is.EqualTo(before));
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        Assert.That(MboxTestSupport.Append(again, "new"), Is.EqualTo(6u), "UIDs are not reused");
    }

    [Test]
    public void AnMboxChangedUnderneathIsNoticedEvenAtTheSameSize()
    {
        string path = NewMailbox(3);
        using var box = Open(_fixture, path);
        string text = File.ReadAllText(path);
        Assert.That(text, Does.Contain("Subject: m2"));
        File.WriteAllText(path, text.Replace("Subject: m2", "Subject: M2")); // another program, same size
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        using var other = Open(_fixture, path, readOnly: true);
        Assert.That(other.State.LastRefresh, Is.EqualTo("full"));
        Assert.That(MboxTestSupport.Read(other, 2), Does.Contain("Subject: M2"));
        Assert.That(_fixture.Driver.GetStatus(path).Messages, Is.EqualTo(3u));
    }

    [Test]
    public void StatusComesFromTheHeaderOnlyWhileItDescribesTheMbox()
    {
        string path = NewMailbox(4);
        var status = _fixture.Driver.GetStatus(path);
        Assert.That((status.Messages, status.Unseen, status.UidNext), Is.EqualTo((4u, 2u, 5u)));
        using (var box = Open(_fixture, path))
        {
            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        }

        Assert.That(_fixture.Driver.GetStatus(path).Unseen, Is.EqualTo(1u), "the STORE updated the header's counts");

        // An MDA delivers: the header no longer describes the mbox, STATUS reads the new message.
        File.AppendAllText(path, "From mda@example.org Fri Apr  5 12:00:00 2024\nSubject: delivered\n\nnew\n\n");
        status = _fixture.Driver.GetStatus(path);
        Assert.That((status.Messages, status.Unseen, status.Recent), Is.EqualTo((5u, 2u, 1u)));
    }

    [Test]
    public void AWriterKilledInTheMiddleOfAStoreLeavesNothingTrustedBlindly()
    {
        string path = NewMailbox(4);
        using (var box = Open(_fixture, path))
        {
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        }

        // What a writer leaves when killed between its "in progress" header and its records.
        string index = IndexPath(path);
        var bytes = File.ReadAllBytes(index);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), 1);
        FixChecksum(bytes);
        File.WriteAllBytes(index, bytes);

        using var again = Open(_fixture, path);
        Assert.That(again.State.LastRefresh, Is.Not.EqualTo("unchanged"));
        Assert.That(again.Messages[1].Flags.Has(MessageFlags.Deleted), Is.True, "its records were checked and kept");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(index).AsSpan(20)) & 1, Is.Zero, "written anew");
    }

    [Test]
    public void SessionsAppendingInTurnSeeEachOthersMessages()
    {
        string path = NewMailbox(1);
        using var a = Open(_fixture, path);
        using var b = Open(_fixture, path);
        var uids = new List<uint>();
        for (int i = 0; i < 10; i++)
        {
            uids.Add(MboxTestSupport.Append(i % 2 == 0 ? a : b, "turn" + i));
            if (i % 3 == 0)
            {
                (i % 2 == 0 ? b : a).Sync();
            }
        }

        a.Sync();
        b.Sync();
        Assert.That(uids, Is.EqualTo(Enumerable.Range(2, 10).Select(i => (uint)i)));
        Assert.That(a.Messages.Select(m => m.Uid), Is.EqualTo(b.Messages.Select(m => m.Uid)));
        Assert.That(a.Messages, Has.Count.EqualTo(11));
        Assert.That(a.RecentUids.Intersect(b.RecentUids), Is.Empty, "a message is recent in one session only");
        Assert.That(new FileInfo(IndexPath(path)).Length, Is.EqualTo(MboxIndexFile.HeaderSize + 11 * MboxIndexFile.RecordSize));
        Assert.That(SnapshotOf(path).Select(m => m.Text.Contains("Subject: turn9")).Last(), Is.True);
    }

    [Test]
    public void ConcurrentAppendersNeitherLoseNorDuplicate()
    {
        string path = NewMailbox(1);
        var fixtures = Enumerable.Range(0, 3).Select(_ => new MboxDriver(MboxDriverFixture.FastLocking)).ToList();
        var tasks = fixtures.Select((driver, t) => Task.Run(() =>
        {
            var mine = new List<uint>();
            for (int i = 0; i < 15; i++)
            {
                using var box = driver.OpenForAppend(path, "box");
                mine.Add(MboxTestSupport.Append(box, $"t{t}-{i}"));
            }

            return mine;
        })).ToArray();
        Task.WaitAll(tasks);
        var all = tasks.SelectMany(t => t.Result).ToList();
        Assert.That(all, Is.Unique);
        using var box = Open(_fixture, path, readOnly: true);
        Assert.That(box.State.LastRefresh, Is.EqualTo("index"));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1 }.Concat(all.Order())));
        Assert.That(box.Messages.Skip(1).Select(m => MboxTestSupport.Read(box, m.Uid)).Count(t => t.Contains("Subject: t")), Is.EqualTo(45));
    }

    [Test]
    public void AStaleIndexOfARecreatedMailboxNeverLeadsToAReusedUid()
    {
        string path = NewMailbox(2);
        uint validity;
        using (var box = _fixture.Driver.Open(path, "box", readOnly: true))
        {
            validity = box.UidValidity;
        }

        byte[] oldIndex = File.ReadAllBytes(IndexPath(path));
        _fixture.Driver.Delete(path);
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        File.WriteAllBytes(IndexPath(path), oldIndex); // a stale copy left behind
        using var again = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(again.Messages, Is.Empty);
        uint uid = MboxTestSupport.Append(again, "new");
        Assert.That(again.UidValidity != validity || uid > 2, Is.True, "same UIDVALIDITY only with UIDs above the old ones");
    }

    [Test]
    public void MoreKeywordsThanTheFileHoldsGoToTheMboxInstead()
    {
        string path = NewMailbox(2);
        var keywords = Enumerable.Range(0, MboxIndexFile.MaxKeywords + 3).Select(i => "kw" + i).ToArray();
        using (var box = Open(_fixture, path))
        {
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.None, keywords));
            Assert.That(box.Messages[1].Flags.Keywords, Has.Count.EqualTo(keywords.Length));
        }

        Assert.That(File.ReadAllText(path), Does.Contain("kw66"), "written back to X-Keywords at once");
        using var again = Open(_fixture, path, readOnly: true);
        Assert.That(again.Messages[1].Flags.Keywords, Is.EquivalentTo(keywords));
        Assert.That(again.Messages[0].Flags.Keywords, Is.EquivalentTo(new[] { "Kept" }));
    }

    [Test]
    public void ASessionOfTheSameProcessSeesChangesToACachedIndex()
    {
        // Enough messages for the decoded records to be shared within the process (RecordsCache).
        string path = _fixture.NewPath("big");
        using (var output = new StreamWriter(path))
        {
            for (int i = 0; i < RecordsCache.MinimumRecords + 10; i++)
            {
                output.Write($"From x@example.org Tue Mar  5 09:20:30 2024\nSubject: {i}\n\nbody {i}\n\n");
            }
        }

        using (Open(_fixture, path))
        {
        }

        using var first = Open(_fixture, path);
        using (var writer = new MboxDriver(MboxDriverFixture.FastLocking).Open(path, "box", readOnly: false))
        {
            writer.Store([7], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
            MboxTestSupport.Append(writer, "one more");
        }

        using var second = Open(_fixture, path);
        Assert.That(second.Messages[6].Flags.Has(MessageFlags.Flagged), Is.True);
        Assert.That(second.Messages, Has.Count.EqualTo(RecordsCache.MinimumRecords + 11));
        Assert.That(first.Messages[6].Flags.Has(MessageFlags.Flagged), Is.False, "a view changes only at Sync");
        first.Sync();
        Assert.That(first.Messages[6].Flags.Has(MessageFlags.Flagged), Is.True);
    }

    private static void FixChecksum(byte[] file)
    {
        var header = file.AsSpan(0, MboxIndexFile.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[(MboxIndexFile.HeaderSize - 4)..],
            Imap4d.Storage.Index.Checksum.Of(header[..(MboxIndexFile.HeaderSize - 4)]));
    }
}
