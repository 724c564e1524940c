using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Tests.Session;

/// <summary>The session's inotify watcher: which keys wake, name filters, and what cannot be watched.</summary>
public class ChangeWatcherTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"imap4d-watch-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_dir, "a"));
        Directory.CreateDirectory(Path.Combine(_dir, "b"));
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private static ChangeWatcher Create()
    {
        var watcher = ChangeWatcher.Enabled ? ChangeWatcher.TryCreate() : null;
        if (watcher is null)
        {
            Assert.Ignore("inotify is not available here");
        }

        return watcher!;
    }

    [Test]
    public async Task AChangeWakesOnlyTheKeysWatchingIt()
    {
        using var watcher = Create();
        Assert.That(watcher.Watch("A", [new ChangeSource(Path.Combine(_dir, "a"))]), Is.True);
        Assert.That(watcher.Watch("B", [new ChangeSource(Path.Combine(_dir, "b"))]), Is.True);
        var wake = watcher.WhenChanged();
        Assert.That(wake.IsCompleted, Is.False);

        File.WriteAllText(Path.Combine(_dir, "b", "1"), "x");
        Assert.That(await Task.WhenAny(wake, Task.Delay(5000)), Is.SameAs(wake));
        await Task.Delay(20);
        Assert.That(watcher.TakeChanged(), Is.EquivalentTo(new[] { "B" }));
        Assert.That(watcher.TakeChanged(), Is.Empty);
        Assert.That(watcher.WhenChanged().IsCompleted, Is.False);
    }

    [Test]
    public async Task ANamedSourceIgnoresItsNeighbours()
    {
        using var watcher = Create();
        string mbox = Path.Combine(_dir, "a", "INBOX");
        File.WriteAllText(mbox, "");
        Assert.That(watcher.Watch("INBOX", [ChangeSource.ForFile(mbox)]), Is.True);

        File.WriteAllText(Path.Combine(_dir, "a", "INBOX.lock"), "1");
        File.WriteAllText(Path.Combine(_dir, "a", "Other"), "From x\n");
        await Task.Delay(100);
        Assert.That(watcher.TakeChanged(), Is.Empty);

        File.AppendAllText(mbox, "From someone\n");
        var wake = watcher.WhenChanged();
        Assert.That(await Task.WhenAny(wake, Task.Delay(5000)), Is.SameAs(wake));
        Assert.That(watcher.TakeChanged(), Is.EquivalentTo(new[] { "INBOX" }));
    }

    [Test]
    public void ADirectoryWithoutParentIsNotWatched()
    {
        using var watcher = Create();
        Assert.That(watcher.Watch("X", [new ChangeSource(Path.Combine(_dir, "a")), new ChangeSource(Path.Combine(_dir, "gone", "deeper"))]), Is.False);
        Assert.That(watcher.IsWatched("X"), Is.False);
        Assert.That(watcher.WatchCount, Is.Zero, "the first directory's watch is dropped too");
    }

    [Test]
    public async Task ADirectoryNotThereYetIsAwaitedInItsParent()
    {
        using var watcher = Create();
        string index = Path.Combine(_dir, "a", ".imap4d");
        Assert.That(watcher.Watch("X", [new ChangeSource(index)]), Is.True);
        var wake = watcher.WhenChanged();
        Directory.CreateDirectory(index);
        Assert.That(await Task.WhenAny(wake, Task.Delay(5000)), Is.SameAs(wake));
        await Task.Delay(20);
        Assert.That(watcher.IsWatched("X"), Is.False, "the owner watches anew, now with the directory");
        Assert.That(watcher.Watch("X", [new ChangeSource(index)]), Is.True);
        watcher.TakeChanged();
        File.WriteAllText(Path.Combine(index, "index"), "x");
        wake = watcher.WhenChanged();
        Assert.That(await Task.WhenAny(wake, Task.Delay(5000)), Is.SameAs(wake));
        Assert.That(watcher.IsWatched("X"), Is.True);
    }

    [Test]
    public void TheWatchLimitHolds()
    {
        using var watcher = Create();
        for (int i = 0; i < ChangeWatcher.MaxWatches + 5; i++)
        {
            string dir = Path.Combine(_dir, "many", i.ToString());
            Directory.CreateDirectory(dir);
            Assert.That(watcher.Watch(i, [new ChangeSource(dir)]), Is.EqualTo(i < ChangeWatcher.MaxWatches), $"key {i}");
        }

        Assert.That(watcher.WatchCount, Is.EqualTo(ChangeWatcher.MaxWatches));
        watcher.Unwatch(0);
        Assert.That(watcher.WatchCount, Is.EqualTo(ChangeWatcher.MaxWatches - 1));
    }

    [Test]
    public async Task ARemovedDirectoryDropsTheWatchAndWakes()
    {
        using var watcher = Create();
        string dir = Path.Combine(_dir, "a");
        Assert.That(watcher.Watch("A", [new ChangeSource(dir)]), Is.True);
        var wake = watcher.WhenChanged();
        Directory.Delete(dir);
        Assert.That(await Task.WhenAny(wake, Task.Delay(5000)), Is.SameAs(wake));
        await Task.Delay(50);
        Assert.That(watcher.IsWatched("A"), Is.False, "its owner polls from now on");
    }
}
