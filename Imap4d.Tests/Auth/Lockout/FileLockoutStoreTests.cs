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

    [Test]
    public void LocksAfterMaxFailuresWithinTheWindowAndUnlocksAfterTheLockTime()
    {
        var store = Store();
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(store.RecordFailure("user:joe"), Is.True, "the third failure locks");
        Assert.That(store.IsLocked("user:joe"), Is.True);
        Assert.That(store.IsLocked("user:ann"), Is.False, "other keys are not affected");

        _clock.Advance(TimeSpan.FromMinutes(14));
        Assert.That(store.IsLocked("user:joe"), Is.True);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(store.IsLocked("user:joe"), Is.False, "unlocked after lock-time");
        Assert.That(store.RecordFailure("user:joe"), Is.False, "the count starts afresh");
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void FailuresOutsideTheWindowAreForgotten()
    {
        var store = Store();
        store.RecordFailure("address:192.0.2.1");
        store.RecordFailure("address:192.0.2.1");
        _clock.Advance(TimeSpan.FromMinutes(11));
        Assert.That(store.RecordFailure("address:192.0.2.1"), Is.False);
        Assert.That(store.RecordFailure("address:192.0.2.1"), Is.False);
        Assert.That(store.RecordFailure("address:192.0.2.1"), Is.True);
    }

    [Test]
    public void ResetForgetsTheFailures()
    {
        var store = Store();
        store.RecordFailure("user:joe");
        store.RecordFailure("user:joe");
        store.Reset("user:joe");
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        store.Reset("user:nobody-ever-failed");
        Assert.That(_warnings, Is.Empty);
    }

    [Test]
    public void CountersAreSharedBetweenInstancesThroughTheFiles()
    {
        var first = Store();
        var second = Store();
        first.RecordFailure("user:joe");
        second.RecordFailure("user:joe");
        Assert.That(first.RecordFailure("user:joe"), Is.True);
        Assert.That(second.IsLocked("user:joe"), Is.True);
    }

    [Test]
    public void DirectoryIsCreatedPrivateOnFirstFailureOnly()
    {
        var store = Store();
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(Directory.Exists(Dir), Is.False, "checking creates nothing");
        store.RecordFailure("user:joe");
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
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(_warnings, Has.Count.EqualTo(1));
        Assert.That(_warnings[0], Does.Contain("writable by group or others").And.Contain("not counted"));
        Assert.That(Directory.GetFiles(Dir), Is.Empty);
    }

    [Test]
    public void AnUnusableDirectoryFailsOpen()
    {
        string file = _temp.Write("not-a-dir", "x");
        var store = Store(maxFailures: 1, directory: Path.Combine(file, "lockout"));
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(_warnings, Has.Count.EqualTo(1));
    }

    [Test]
    public void ASymlinkInPlaceOfACounterIsNotFollowed()
    {
        var store = Store(maxFailures: 1);
        store.RecordFailure("user:other"); // creates the directory
        string target = _temp.Write("target", "precious\n");
        File.CreateSymbolicLink(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:joe")), target);
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(File.ReadAllText(target), Is.EqualTo("precious\n"));
    }

    [Test]
    public void GarbageInACounterFileReadsAsNoFailures()
    {
        var store = Store(maxFailures: 2);
        store.RecordFailure("user:joe");
        File.WriteAllText(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:joe")), "imap4d-lockout 1\n99999999999999999999999\nx\n");
        Assert.That(store.IsLocked("user:joe"), Is.False);
        Assert.That(store.RecordFailure("user:joe"), Is.False);
        Assert.That(store.RecordFailure("user:joe"), Is.True);
    }

    [Test]
    public void CounterFilesStaySmall()
    {
        var store = Store(maxFailures: 1000, window: TimeSpan.FromDays(1));
        for (int i = 0; i < 999; i++)
        {
            store.RecordFailure("user:joe");
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var length = new FileInfo(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:joe"))).Length;
        Assert.That(length, Is.LessThan(16 * 1024));
        Assert.That(store.RecordFailure("user:joe"), Is.True);
    }

    [Test]
    public void AFullDirectoryIsPrunedOfStaleCountersThenStopsCountingNewKeys()
    {
        var store = Store(maxFailures: 3, window: TimeSpan.FromMinutes(1), lockTime: TimeSpan.FromMinutes(1));
        store.RecordFailure("user:joe");
        // Fill the directory with stale files (old mtime) and then with fresh ones.
        for (int i = 0; i < FileLockoutStore.MaxEntries; i++)
        {
            string path = Path.Combine(Dir, $"k-stale{i}");
            File.WriteAllText(path, "");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        store.RecordFailure("user:new");
        Assert.That(Directory.GetFiles(Dir).Length, Is.LessThanOrEqualTo(3), "stale counters were pruned");

        for (int i = 0; i < FileLockoutStore.MaxEntries; i++)
        {
            File.WriteAllText(Path.Combine(Dir, $"k-fresh{i}"), "");
        }

        Assert.That(store.RecordFailure("user:third"), Is.False);
        Assert.That(File.Exists(Path.Combine(Dir, FileLockoutStore.FileNameOf("user:third"))), Is.False);
        Assert.That(_warnings.Single(), Does.Contain("not counted"));
        Assert.That(store.RecordFailure("user:joe"), Is.False, "known keys are still counted");
        Assert.That(store.RecordFailure("user:joe"), Is.True);
    }

    [TestCase("192.0.2.7", "address:192.0.2.7")]
    [TestCase("::ffff:192.0.2.7", "address:192.0.2.7")]
    [TestCase("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64")]
    public void AddressKeys(string address, string key) =>
        Assert.That(LockoutKeys.ForAddress(System.Net.IPAddress.Parse(address)), Is.EqualTo(key));

    [Test]
    public void UserKeysIgnoreCase() => Assert.That(LockoutKeys.ForUser("Joe"), Is.EqualTo(LockoutKeys.ForUser("joe")));
}
