using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

public class FetchCacheTests
{
    private string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "imap4d-cache-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void ItemsSurviveReopeningAndAreSharedBetweenSessions()
    {
        using var first = FetchCache.Open(_path, 7)!;
        using var second = FetchCache.Open(_path, 7)!;
        first.Put(1, 0, FetchCacheItem.Envelope, "(\"env\")"u8);
        first.Put(1, 0, FetchCacheItem.BodyStructure, "(\"text\" \"plain\")"u8);
        Assert.That(second.TryGet(1, 0, FetchCacheItem.Envelope, out byte[] seen), Is.True, "written by another session");
        Assert.That(Encoding.ASCII.GetString(seen), Is.EqualTo("(\"env\")"));
        Assert.That(second.TryGet(2, 0, FetchCacheItem.Envelope, out _), Is.False);
        second.Put(2, 0, FetchCacheItem.Body, "(B)"u8);

        using var again = FetchCache.Open(_path, 7)!;
        Assert.That(again.TryGet(1, 0, FetchCacheItem.BodyStructure, out byte[] structure), Is.True);
        Assert.That(Encoding.ASCII.GetString(structure), Is.EqualTo("(\"text\" \"plain\")"));
        Assert.That(again.TryGet(2, 0, FetchCacheItem.Body, out byte[] body), Is.True);
        Assert.That(Encoding.ASCII.GetString(body), Is.EqualTo("(B)"));
    }

    [Test]
    public void AnotherUidValidityStartsAfresh()
    {
        using (var old = FetchCache.Open(_path, 7)!)
        {
            old.Put(1, 0, FetchCacheItem.Envelope, "old"u8);
        }

        using var fresh = FetchCache.Open(_path, 8)!;
        Assert.That(fresh.TryGet(1, 0, FetchCacheItem.Envelope, out _), Is.False, "UIDs of another UIDVALIDITY name other messages");
    }

    [Test]
    public void ATornTailIsIgnored()
    {
        using (var cache = FetchCache.Open(_path, 7)!)
        {
            cache.Put(1, 0, FetchCacheItem.Envelope, "good"u8);
            cache.Put(2, 0, FetchCacheItem.Envelope, "also good"u8);
        }

        long length = new FileInfo(_path).Length;
        using (var file = new FileStream(_path, FileMode.Open))
        {
            file.SetLength(length - 3); // a crash in the middle of the last write
        }

        using var reopened = FetchCache.Open(_path, 7)!;
        Assert.That(reopened.TryGet(1, 0, FetchCacheItem.Envelope, out byte[] good), Is.True);
        Assert.That(Encoding.ASCII.GetString(good), Is.EqualTo("good"));
        Assert.That(reopened.TryGet(2, 0, FetchCacheItem.Envelope, out _), Is.False);
    }

    [Test]
    public void ACacheOfTheFormerFormatIsStartedAfresh()
    {
        using (var old = FetchCache.Open(_path, 7)!)
        {
            old.Put(1, 0, FetchCacheItem.Envelope, "(\"env\")"u8);
        }

        // The same records under the magic of the format whose checksums were FNV-1a.
        var bytes = File.ReadAllBytes(_path);
        Encoding.ASCII.GetBytes("IMAP4DF3").CopyTo(bytes, 0);
        File.WriteAllBytes(_path, bytes);
        using var cache = FetchCache.Open(_path, 7)!;
        Assert.That(cache.TryGet(1, 0, FetchCacheItem.Envelope, out _), Is.False, "not read with another checksum");
        cache.Put(1, 0, FetchCacheItem.Envelope, "new"u8);
        Assert.That(cache.TryGet(1, 0, FetchCacheItem.Envelope, out byte[] fresh), Is.True);
        Assert.That(Encoding.ASCII.GetString(fresh), Is.EqualTo("new"));
    }

    [Test]
    public void GarbageFileIsReplaced()
    {
        File.WriteAllText(_path, "not a cache at all");
        using var cache = FetchCache.Open(_path, 7)!;
        cache.Put(3, 0, FetchCacheItem.Body, "x"u8);
        Assert.That(cache.TryGet(3, 0, FetchCacheItem.Body, out _), Is.True);
    }

    [Test]
    public void AnEntryIsServedOnlyForTheContentItWasMadeFor()
    {
        using var cache = FetchCache.Open(_path, 7)!;
        var made = new MessageInfo(1, FlagSet.Empty, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), 120);
        cache.Put(made, FetchCacheItem.Envelope, "(\"made for this one\")"u8);
        Assert.That(cache.TryGet(made, FetchCacheItem.Envelope, out _), Is.True);
        Assert.That(cache.TryGet(made with { Size = 121 }, FetchCacheItem.Envelope, out _), Is.False, "same UID, other size");
        Assert.That(cache.TryGet(made with { InternalDate = made.InternalDate.AddSeconds(1) }, FetchCacheItem.Envelope, out _), Is.False, "same UID, other date");

        // The other message's own entry takes over, for this session and the next.
        var other = made with { Size = 121 };
        cache.Put(other, FetchCacheItem.Envelope, "(\"the other one\")"u8);
        using var next = FetchCache.Open(_path, 7)!;
        Assert.That(next.TryGet(other, FetchCacheItem.Envelope, out byte[] bytes), Is.True);
        Assert.That(System.Text.Encoding.ASCII.GetString(bytes), Is.EqualTo("(\"the other one\")"));
    }

    [Test]
    public void WritersInSeveralSessionsAtOnceNeverOverlap()
    {
        // Two processes used to write at the length each had just read: one record could land
        // on another, and nothing after the damage could be read again.
        var writers = Enumerable.Range(0, 4).Select(_ => FetchCache.Open(_path, 7)!).ToList();
        Parallel.For(0, 4, w =>
        {
            for (uint uid = 1; uid <= 200; uid++)
            {
                writers[w].Put(uid * 10 + (uint)w, 0, FetchCacheItem.Envelope, Encoding.ASCII.GetBytes(new string((char)('a' + w), (int)(uid % 37) + 1)));
            }
        });
        writers.ForEach(w => w.Dispose());

        using var reader = FetchCache.Open(_path, 7)!;
        for (int w = 0; w < 4; w++)
        {
            for (uint uid = 1; uid <= 200; uid++)
            {
                Assert.That(reader.TryGet(uid * 10 + (uint)w, 0, FetchCacheItem.Envelope, out byte[] bytes), Is.True, $"{w}/{uid}");
                Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo(new string((char)('a' + w), (int)(uid % 37) + 1)));
            }
        }
    }

    [Test]
    public void ACacheGrownWithExpungedMessagesIsRewrittenWithTheLiveOnes()
    {
        var date = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var messages = Enumerable.Range(1, 400).Select(i => new MessageInfo((uint)i, FlagSet.Empty, date, 1000 + i)).ToList();
        byte[] item = Encoding.ASCII.GetBytes(new string('e', 1000));
        using var other = FetchCache.Open(_path, 7)!;
        using (var cache = FetchCache.Open(_path, 7)!)
        {
            messages.ForEach(m => cache.Put(m, FetchCacheItem.Envelope, item));
            Assert.That(cache.FileLength, Is.GreaterThan(FetchCache.CompactionFloor));

            var live = messages.Where(m => m.Uid > 380).ToList(); // the rest were expunged
            Assert.That(cache.CompactIfWasteful(live), Is.True);
            Assert.That(cache.FileLength, Is.LessThan(25_000));
            Assert.That(cache.CompactIfWasteful(live), Is.False, "nothing more to drop");
            Assert.That(cache.TryGet(live[0], FetchCacheItem.Envelope, out byte[] kept), Is.True);
            Assert.That(kept, Is.EqualTo(item));
            Assert.That(cache.TryGet(messages[0], FetchCacheItem.Envelope, out _), Is.False);
        }

        // A session opened before the rewrite moves to the new file and adds to it.
        var added = new MessageInfo(401, FlagSet.Empty, date, 5);
        Assert.That(other.TryGet(added, FetchCacheItem.Envelope, out _), Is.False);
        other.Put(added, FetchCacheItem.Envelope, "(new)"u8);
        using var next = FetchCache.Open(_path, 7)!;
        Assert.That(next.TryGet(added, FetchCacheItem.Envelope, out byte[] seen), Is.True);
        Assert.That(Encoding.ASCII.GetString(seen), Is.EqualTo("(new)"));
    }

    [Test]
    public void ATornRecordThatOthersWrotePastIsNotServed()
    {
        using (var cache = FetchCache.Open(_path, 7)!)
        {
            cache.Put(1, 0, FetchCacheItem.Envelope, "good"u8);
            cache.Put(2, 0, FetchCacheItem.Envelope, "torn by a crash"u8);
        }

        using (var file = new FileStream(_path, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        using (var later = FetchCache.Open(_path, 7)!)
        {
            later.Put(3, 0, FetchCacheItem.Body, "written after the torn one"u8);
        }

        // Record 2's length now reaches into record 3: its bytes are not what was stored.
        using var reader = FetchCache.Open(_path, 7)!;
        Assert.That(reader.TryGet(1, 0, FetchCacheItem.Envelope, out byte[] good), Is.True);
        Assert.That(Encoding.ASCII.GetString(good), Is.EqualTo("good"));
        Assert.That(reader.TryGet(2, 0, FetchCacheItem.Envelope, out _), Is.False);
        reader.Put(4, 0, FetchCacheItem.Body, "after the repair"u8);
        Assert.That(reader.TryGet(4, 0, FetchCacheItem.Body, out _), Is.True);
    }

    [Test]
    public void ASessionOfAReCreatedMailboxRetiresTheOldSessionsCache()
    {
        using var old = FetchCache.Open(_path, 7)!;
        old.Put(1, 0, FetchCacheItem.Envelope, "old"u8);
        using var recreated = FetchCache.Open(_path, 8)!;
        recreated.Put(1, 0, FetchCacheItem.Envelope, "new"u8);

        old.Put(2, 0, FetchCacheItem.Envelope, "old two"u8); // lands in the old, unlinked file, if anywhere
        using var next = FetchCache.Open(_path, 8)!;
        Assert.That(next.TryGet(2, 0, FetchCacheItem.Envelope, out _), Is.False);
        Assert.That(next.TryGet(1, 0, FetchCacheItem.Envelope, out byte[] bytes), Is.True);
        Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo("new"));
    }

    [Test]
    public void NoPathMeansNoCache() => Assert.That(FetchCache.Open(null, 1), Is.Null);
}
