using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

/// <summary>FetchCache.PutMany: many records in one write, readable here, by other sessions and after reopening.</summary>
public class FetchCachePutManyTests
{
    private string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "imap4d-cache-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown() => File.Delete(_path);

    private static MessageInfo Message(uint uid) =>
        new(uid, FlagSet.Empty, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), 100 + uid);

    [Test]
    public void ItemsWrittenTogetherAreServedLikeSingleOnes()
    {
        using var first = FetchCache.Open(_path, 7)!;
        using var second = FetchCache.Open(_path, 7)!;
        first.Put(Message(1), FetchCacheItem.HeaderFields, "one"u8);
        long before = new FileInfo(_path).Length;
        first.PutMany([
            (Message(1), FetchCacheItem.HeaderFields, "ignored: already cached"u8.ToArray()),
            (Message(2), FetchCacheItem.HeaderFields, "two"u8.ToArray()),
            (Message(3), FetchCacheItem.Envelope, "three"u8.ToArray()),
        ]);
        Assert.That(new FileInfo(_path).Length, Is.EqualTo(before + 2 * 22 + 3 + 5), "only the new records, in one piece");

        foreach (var cache in new[] { first, second, FetchCache.Open(_path, 7)! })
        {
            Assert.That(cache.TryGet(Message(1), FetchCacheItem.HeaderFields, out byte[] one) && Encoding.ASCII.GetString(one) == "one");
            Assert.That(cache.TryGet(Message(2), FetchCacheItem.HeaderFields, out byte[] two) && Encoding.ASCII.GetString(two) == "two");
            Assert.That(cache.TryGet(Message(3), FetchCacheItem.Envelope, out byte[] three) && Encoding.ASCII.GetString(three) == "three");
            Assert.That(cache.TryGet(Message(3), FetchCacheItem.HeaderFields, out _), Is.False);
        }
    }
}
