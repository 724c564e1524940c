using System.Runtime.CompilerServices;
using Imap4d.Hosting;
using Imap4d.IO;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Hosting;

/// <summary>
/// A user process gives back what it cached for its sessions once it has had none for a moment
/// (<see cref="SessionCaches"/>), and keeps it while sessions follow one another closely.
/// </summary>
[NonParallelizable]
public class SessionCachesTests
{
    private TimeSpan _grace;

    [SetUp]
    public void SetUp()
    {
        _grace = SessionCaches.Grace;
        SessionCaches.Grace = TimeSpan.FromMilliseconds(200);
        RecordsCache.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        SessionCaches.Grace = _grace;
        RecordsCache.Clear();
    }

    private static byte[] CacheSomeRecords(int count = RecordsCache.MinimumRecords + 1)
    {
        var stamp = new MboxIndexFile.Stamp(FileId: 1, Counter: 1, ModifyCounter: 1, Count: count, InProgress: false);
        var bytes = new byte[count * MboxRecordLayout.Size];
        RecordsCache.Keep("/nonexistent/box.index", stamp, bytes, count, new KeywordSets([]));
        Assert.That(RecordsCache.HeldRecords, Is.EqualTo(count));
        return bytes;
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return condition();
    }

    [Test]
    public void TheLastSessionsEndReleasesTheCachesAfterTheGrace()
    {
        SessionCaches.SessionStarted();
        SessionCaches.SessionStarted();
        CacheSomeRecords();
        int releases = SessionCaches.Releases;

        SessionCaches.SessionEnded();
        Thread.Sleep(SessionCaches.Grace * 3);
        Assert.That(RecordsCache.HeldRecords, Is.GreaterThan(0), "a session is still running");

        SessionCaches.SessionEnded();
        Assert.That(RecordsCache.HeldRecords, Is.GreaterThan(0), "kept for the grace");
        Assert.That(WaitFor(() => SessionCaches.Releases > releases, TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(RecordsCache.HeldRecords, Is.Zero);
    }

    [Test]
    public void ASessionStartingWithinTheGraceKeepsTheCaches()
    {
        SessionCaches.SessionStarted();
        CacheSomeRecords();
        int releases = SessionCaches.Releases;

        SessionCaches.SessionEnded();
        SessionCaches.SessionStarted(); // a reconnect, as a re-SELECT in a new session
        Thread.Sleep(SessionCaches.Grace * 3);
        Assert.That(SessionCaches.Releases, Is.EqualTo(releases));
        Assert.That(RecordsCache.HeldRecords, Is.GreaterThan(0));

        SessionCaches.SessionEnded();
        Assert.That(WaitFor(() => SessionCaches.Releases > releases, TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(RecordsCache.HeldRecords, Is.Zero);
    }

    [Test]
    public void ASessionEndingWhileOthersRunAsksForACollectionWhenLargeRecordsWereLeftToSessions()
    {
        SessionCaches.SessionStarted(); // a session on another mailbox, which stays
        SessionCaches.SessionStarted();
        var held = CacheSomeRecords(100_000); // 8 MB, which the ending session still has open
        Thread.Sleep(SessionCaches.Grace * 2);
        Assert.That(SessionCaches.Tick(), Is.True, "let go of 8 MB: worth a collection");
        Assert.That(SessionCaches.Tick(), Is.False, "nothing new");

        SessionCaches.SessionEnded();
        Assert.That(SessionCaches.Tick(), Is.False, "within the grace");
        Thread.Sleep(SessionCaches.Grace * 2);
        Assert.That(SessionCaches.Tick(), Is.True, "a session ended with the records left to sessions");
        Assert.That(SessionCaches.Tick(), Is.False, "once per end");
        GC.KeepAlive(held);
        SessionCaches.SessionEnded();
    }

    [Test]
    public void ReleaseLetsGoOfTheLargeBuffersKeptForReuse()
    {
        var (kept, again) = RentReturnAndRentAgain();
        Assert.That(again, Is.True, "a returned block is lent again while sessions come and go");

        SessionCaches.Release();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.That(kept.IsAlive, Is.False, "the 1 MB block is not kept once the process has had no session for a moment");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Kept, bool Again) RentReturnAndRentAgain()
    {
        var block = LargeBuffers.Rent(LargeBuffers.MaxPooledLength);
        LargeBuffers.Return(block);
        var next = LargeBuffers.Rent(LargeBuffers.MaxPooledLength);
        LargeBuffers.Return(next);
        return (new WeakReference(next), ReferenceEquals(block, next));
    }
}
