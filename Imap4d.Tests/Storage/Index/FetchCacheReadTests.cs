using System.Text;
using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

/// <summary>FetchCache reads records in blocks: every order of access, large items, and a file replaced behind its back.</summary>
public class FetchCacheReadTests
{
    private string _path = null!;

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), "imap4d-cache-read-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown() => File.Delete(_path);

    private static byte[] Item(uint uid, FetchCacheItem item) =>
        Encoding.ASCII.GetBytes($"({item} of {uid} " + new string((char)('a' + uid % 26), (int)(uid * 37 % 900)) + ")");

    [Test]
    public void EveryOrderOfAccessServesTheRightBytes()
    {
        const uint count = 3000;
        using (var writer = FetchCache.Open(_path, 7)!)
        {
            // Two passes, as two FETCH commands write them: envelopes, then header fields.
            for (uint uid = 1; uid <= count; uid++)
            {
                writer.Put(uid, uid * 11, FetchCacheItem.Envelope, Item(uid, FetchCacheItem.Envelope));
            }

            for (uint uid = 1; uid <= count; uid++)
            {
                writer.Put(uid, uid * 11, FetchCacheItem.HeaderFields, Item(uid, FetchCacheItem.HeaderFields));
            }

            writer.Put(count + 1, 5, FetchCacheItem.BodyStructure, new byte[600_000]);
        }

        using var reader = FetchCache.Open(_path, 7)!;
        var forward = Enumerable.Range(1, (int)count).Select(u => (uint)u).ToList();
        var orders = new[]
        {
            forward,
            Enumerable.Reverse(forward).ToList(),
            forward.OrderBy(u => u * 7919 % count).ToList(),
        };
        foreach (var order in orders)
        {
            foreach (uint uid in order)
            {
                // Alternating between the two items' regions of the file, as FETCH (ENVELOPE ...) does.
                Assert.That(reader.TryGet(uid, uid * 11, FetchCacheItem.Envelope, out byte[] envelope), Is.True);
                Assert.That(envelope, Is.EqualTo(Item(uid, FetchCacheItem.Envelope)));
                Assert.That(reader.TryGet(uid, uid * 11, FetchCacheItem.HeaderFields, out byte[] fields), Is.True);
                Assert.That(fields, Is.EqualTo(Item(uid, FetchCacheItem.HeaderFields)));
                Assert.That(reader.TryGet(uid, uid * 11 + 1, FetchCacheItem.Envelope, out _), Is.False, "another fingerprint");
            }
        }

        Assert.That(reader.TryGet(count + 1, 5, FetchCacheItem.BodyStructure, out byte[] large), Is.True);
        Assert.That(large, Has.Length.EqualTo(600_000));
    }

    [Test]
    public void ARecordReplacedBehindTheReadersBackIsNotServed()
    {
        using var reader = FetchCache.Open(_path, 7)!;
        using (var first = FetchCache.Open(_path, 7)!)
        {
            first.Put(1, 42, FetchCacheItem.Envelope, "uid1data"u8);
        }

        Assert.That(reader.Contains(1, 42, FetchCacheItem.Envelope), Is.False);
        Assert.That(reader.TryGet(9, 9, FetchCacheItem.Envelope, out _), Is.False, "reads what was added: uid 1's record");
        Assert.That(reader.Contains(1, 42, FetchCacheItem.Envelope), Is.True);

        // The mailbox was made again: another session starts the file afresh. A cache file is
        // replaced, never rewritten in place, so the reader's record still says what it said
        // of the reader's own (old) message, and the new file holds nothing of the old mailbox.
        using (var other = FetchCache.Open(_path, 8)!)
        {
            other.Put(2, 42, FetchCacheItem.Envelope, "uid2data"u8);
        }

        Assert.That(reader.TryGet(1, 42, FetchCacheItem.Envelope, out byte[] bytes), Is.True);
        Assert.That(Encoding.ASCII.GetString(bytes), Is.EqualTo("uid1data"));
        Assert.That(reader.TryGet(2, 42, FetchCacheItem.Envelope, out _), Is.False, "the new mailbox's records are not the reader's");
        using var fresh = FetchCache.Open(_path, 8)!;
        Assert.That(fresh.TryGet(1, 42, FetchCacheItem.Envelope, out _), Is.False);
        Assert.That(fresh.TryGet(2, 42, FetchCacheItem.Envelope, out byte[] two), Is.True);
        Assert.That(Encoding.ASCII.GetString(two), Is.EqualTo("uid2data"));
    }
}
