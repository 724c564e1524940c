using Imap4d.Auth.Lockout;
using Imap4d.Config;
using Imap4d.Tests.Config;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Auth.Lockout;

public class FileLockoutStoreTests
{
    private TempDirectory _temp = null!;
    private ManualClock _clock = null!;
    private List<string> _warnings = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _clock = new ManualClock(DateTimeOffset.UtcNow);
        _warnings = [];
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private string Dir => Path.Combine(_temp.Path, "run", "lockout");

    private FileLockoutStore Store(int maxFailures = 3, TimeSpan? window = null, TimeSpan? lockTime = null, string? directory = null) =>
        new(new LockoutSettings
        {
            MaxFailures = maxFailures,
            Window = window ?? TimeSpan.FromMinutes(10),
            LockTime = lockTime ?? TimeSpan.FromMinutes(15),
            Directory = directory ?? Dir,
        }, _clock, _warnings.Add);

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static readonly long Window = (long)TimeSpan.FromMinutes(10).TotalMilliseconds;

    /// <summary>Counts a failure the way the login policy does; returns the recent count.</summary>
    private int Fail(FileLockoutStore store, string key, string? user = null) =>
        store.Update(key, r =>
        {
            r.AddFailure(Now, Window, user);
            return r.RecentFailures(Now, Window);
        });

    [Test]
    public void UpdatesAreKeptAndReadBackAndFailuresOutsideTheWindowAreForgotten()
    {
        var store = Store();
        Assert.That(store.Read("user:joe"), Is.Null);
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(1));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(2));
        store.Update("user:joe", r => { r.Block(Now + 1000); return 0; });
        Assert.That(store.Read("user:joe")!.IsBlocked(Now), Is.True);
        Assert.That(store.Read("user:ann"), Is.Null, "other keys are not affected");
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(store.Read("user:joe")!.IsBlocked(Now), Is.False);

        Fail(store, "address:192.0.2.1");
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.That(Fail(store, "address:192.0.2.1"), Is.EqualTo(1), "the old failure fell out of the window");
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void DifferentUsersAreCountedWithoutKeepingTheirNames()
    {
        var store = Store();
        Fail(store, "address:192.0.2.1", "joe");
        Fail(store, "address:192.0.2.1", "Joe");
        Fail(store, "address:192.0.2.1", "ann");
        Assert.That(store.Read("address:192.0.2.1")!.RecentUsers(Now, Window), Is.EqualTo(2));
        Assert.That(File.ReadAllText(Path.Combine(Dir, FileLockoutStore.FileNameOf("address:192.0.2.1"))), Does.Not.Contain("joe"));
    }

    [Test]
    public void RemoveForgetsTheRecord()
    {
        var store = Store();
        Fail(store, "user:joe");
        store.Remove("user:joe");
        Assert.That(store.Read("user:joe"), Is.Null);
        store.Remove("user:nobody-ever-failed");
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void RecordsAreSharedBetweenInstancesThroughTheFiles()
    {
        var first = Store();
        var second = Store();
        Fail(first, "user:joe");
        Fail(second, "user:joe");
        Assert.That(Fail(first, "user:joe"), Is.EqualTo(3));
        Assert.That(second.Read("user:joe")!.RecentFailures(Now, Window), Is.EqualTo(3));
    }

    [Test]
    public void ConcurrentUpdatesFromManyInstancesAreNotLost()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Store()).ToList();
        Parallel.For(0, 200, i => stores[i % 4].Update("address:192.0.2.9", r => { r.NextAnswer++; return 0; }));
        Assert.That(stores[0].Read("address:192.0.2.9")!.NextAnswer, Is.EqualTo(200));
    }

    [Test]
    public void DirectoryIsCreatedPrivateOnFirstFailureOnly()
    {
        var store = Store();
        Assert.That(store.Read("user:joe"), Is.Null);
        Assert.That(Directory.Exists(Dir), Is.False, "checking creates nothing");
        Fail(store, "user:joe");
        Assert.That(Syscall.stat(Dir, out var st), Is.Zero);
        Assert.That((int)st.st_mode & 0x1ff, Is.EqualTo(0x1c0), "mode 0700");
        var files = Directory.GetFiles(Dir);
        Assert.That(files, Has.Length.EqualTo(1));
        Assert.That(Path.GetFileName(files[0]), Is.EqualTo(FileLockoutStore.FileNameOf("user:joe")));
        Assert.That(Path.GetFileName(files[0]), Does.Not.Contain("joe"), "the key is hashed");
        Assert.That(Syscall.stat(files[0], out var fileStat), Is.Zero);
        Assert.That((int)fileStat.st_mode & 0x3f, Is.Zero, "counter files are private");
    }

    [Test]
    public void AWorldWritableDirectoryDisablesTheStoreWithAWarning()
    {
        Directory.CreateDirectory(Dir);
        Assert.That(Syscall.chmod(Dir, (FilePermissions)0x1ff), Is.Zero); // 0777
        var store = Store(maxFailures: 1);
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(1), "decided on an empty record");
        Assert.That(store.Read("user:joe"), Is.Null);
        Assert.That(_warnings, Has.Count.EqualTo(1));
        Assert.That(_warnings[0], Does.Contain("writable by group or others").And.Contain("not counted"));
        Assert.That(Directory.GetFiles(Dir), Is.Empty);
    }

    [Test]
    public void AnUnusableDirectoryFailsOpen()
    {
        string file = _temp.Write("not-a-dir", "x");
        var store = Store(maxFailures: 1, directory: Path.Combine(file, "lockout"));
        Fail(store, "user:joe");
        Assert.That(store.Read("user:joe"), Is.Null);
        Assert.That(_warnings, Has.Count.EqualTo(1));
    }

    [Test]
    public void ASymlinkInPlaceOfACounterIsNotFollowed()
    {
        var store = Store(maxFailures: 1);
        Fail(store, "user:other"); // creates the directory
        string target = _temp.Write("target", "precious\n");
        File.CreateSymbolicLink(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:joe")), target);
        Fail(store, "user:joe");
        Assert.That(store.Read("user:joe"), Is.Null);
        Assert.That(File.ReadAllText(target), Is.EqualTo("precious\n"));
    }

    [Test]
    public void GarbageInACounterFileReadsAsNoFailures()
    {
        var store = Store(maxFailures: 2);
        Fail(store, "user:joe");
        File.WriteAllText(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:joe")), "imap4d-lockout 2\n99999999999999999999999 1\nx\n");
        Assert.That(store.Read("user:joe")!.IsBlocked(Now), Is.False);
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(1));
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(2));
    }

    [Test]
    public void CounterFilesStaySmall()
    {
        var store = Store(maxFailures: 1000, window: TimeSpan.FromDays(1));
        for (int i = 0; i < 1500; i++)
        {
            Fail(store, "address:192.0.2.1", "user" + i);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var length = new FileInfo(Path.Combine(Dir, FileLockoutStore.FileNameOf("address:192.0.2.1"))).Length;
        Assert.That(length, Is.LessThan(LockoutRecord.MaxBytes));
        Assert.That(store.Read("address:192.0.2.1")!.RecentFailures(Now, Window), Is.EqualTo(LockoutRecord.MaxFailures));
    }

    [Test]
    public void AFullDirectoryIsPrunedOfStaleCountersThenStopsCountingNewKeys()
    {
        var store = Store(maxFailures: 3, window: TimeSpan.FromMinutes(1), lockTime: TimeSpan.FromMinutes(1));
        Fail(store, "user:joe");
        // Fill the directory with stale files (old mtime) and then with fresh ones.
        for (int i = 0; i < FileLockoutStore.MaxEntries; i++)
        {
            string path = Path.Combine(Dir, $"k-stale{i}");
            File.WriteAllText(path, "");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Fail(store, "user:new");
        Assert.That(Directory.GetFiles(Dir).Length, Is.LessThanOrEqualTo(3), "stale counters were pruned");

        for (int i = 0; i < FileLockoutStore.MaxEntries; i++)
        {
            File.WriteAllText(Path.Combine(Dir, $"k-fresh{i}"), "");
        }

        Fail(store, "user:third");
        Assert.That(File.Exists(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:third"))), Is.False);
        Assert.That(_warnings.Single(), Does.Contain("not counted"));
        Assert.That(Fail(store, "user:joe"), Is.EqualTo(2), "known keys are still counted");
    }

    [TestCase("192.0.2.7", "address:192.0.2.7")]
    [TestCase("::ffff:192.0.2.7", "address:192.0.2.7")]
    [TestCase("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64")]
    public void AddressKeys(string address, string key) =>
        Assert.That(LockoutKeys.ForAddress(System.Net.IPAddress.Parse(address)), Is.EqualTo(key));

    [Test]
    public void PairKeysNameBoth() =>
        Assert.That(LockoutKeys.ForPair(System.Net.IPAddress.Parse("192.0.2.7"), "Joe"), Is.EqualTo("address:192.0.2.7 user:joe"));

    [Test]
    public void UserKeysIgnoreCase() => Assert.That(LockoutKeys.ForUser("Joe"), Is.EqualTo(LockoutKeys.ForUser("joe")));
}
