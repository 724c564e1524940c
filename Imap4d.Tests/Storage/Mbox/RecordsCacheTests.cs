using System.Runtime.CompilerServices;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// The index records a process shares among its sessions (<see cref="RecordsCache"/>) are held
/// for a moment after their last use, then only as long as a session still has them.
/// </summary>
[NonParallelizable]
public class RecordsCacheTests
{
    private const int Count = RecordsCache.MinimumRecords + 1;
    private static readonly MboxIndexFile.Stamp Stamp = new(FileId: 7, Counter: 1, ModifyCounter: 1, Count: Count, InProgress: false);

    [SetUp]
    public void SetUp() => RecordsCache.Clear();

    [TearDown]
    public void TearDown() => RecordsCache.Clear();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] KeepNew(string path)
    {
        var bytes = new byte[Count * MboxRecordLayout.Size];
        RecordsCache.Keep(path, Stamp, bytes, Count, new KeywordSets([]));
        return bytes;
    }

    [Test]
    public void AnEntryUsedWithinTheGraceIsHeld()
    {
        KeepNew("/nonexistent/a.index");
        Assert.That(RecordsCache.Release(TimeSpan.FromMinutes(1)), Is.Zero);
        Assert.That(RecordsCache.HeldRecords, Is.EqualTo(Count));
    }

    [Test]
    public void AfterTheGraceAnEntryIsSharedOnlyWhileASessionHoldsIt()
    {
        var held = KeepNew("/nonexistent/a.index");
        Assert.That(RecordsCache.Release(TimeSpan.Zero), Is.EqualTo(held.Length));
        Assert.That(RecordsCache.HeldRecords, Is.Zero);

        // A session still has the bytes: a new session of the same mailbox shares them.
        Assert.That(RecordsCache.Find("/nonexistent/a.index", Stamp)?.Bytes, Is.SameAs(held));
        Assert.That(RecordsCache.HeldRecords, Is.EqualTo(Count), "held again after that use");
        GC.KeepAlive(held);
    }

    [Test]
    public void AfterTheGraceAnEntryNobodyHoldsGoesWithTheNextCollection()
    {
        KeepNew("/nonexistent/b.index");
        Assert.That(RecordsCache.Release(TimeSpan.Zero), Is.GreaterThan(0));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(RecordsCache.Find("/nonexistent/b.index", Stamp), Is.Null);
    }
}
