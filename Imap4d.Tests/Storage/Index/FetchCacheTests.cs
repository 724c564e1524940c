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
    public void NoPathMeansNoCache() => Assert.That(FetchCache.Open(null, 1), Is.Null);
}
