using System.Diagnostics;
using Imap4d.Storage;
using Imap4d.Storage.Locking;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Dotlock and fcntl locking against other programs.</summary>
[TestFixture]
[NonParallelizable]
public class MboxLockingTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string NewMailbox()
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        MboxTestSupport.Append(box, "one");
        return path;
    }

    /// <summary>
    /// A mailbox whose index is gone: opening it must read the mbox, under the lock (an open that
    /// finds the index current reads no mbox and takes no lock; see OpeningWithACurrentIndexTakesNoLock).
    /// </summary>
    private string NewMailboxWithoutIndex()
    {
        string path = NewMailbox();
        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        return path;
    }

    [Test]
    public void DotLockIsCreatedWithPidAndRemoved()
    {
        string path = NewMailbox();
        string lockPath = path + ".lock";
        using (var held = DotLock.Acquire(path, MboxDriverFixture.FastLocking))
        {
            Assert.That(held, Is.Not.Null);
            Assert.That(File.ReadAllText(lockPath).Trim(), Is.EqualTo(Environment.ProcessId.ToString()));
        }

        Assert.That(File.Exists(lockPath), Is.False);
    }

    [Test]
    public void NoLockIsHeldWhileTheMailboxIsMerelyOpen()
    {
        string path = NewMailbox();
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        box.Sync();
        Assert.That(File.Exists(path + ".lock"), Is.False);
        Assert.That(RunLocker(path, nonBlocking: true), Is.EqualTo("locked"), "another process can take the fcntl lock");
    }

    [Test]
    public void OpeningWithACurrentIndexTakesNoLock()
    {
        // As Dovecot's read locks: the index file describes the mbox as it is (stamps equal), so
        // an open reads the index alone, even while another program holds the dotlock.
        string path = NewMailbox();
        File.WriteAllText(path + ".lock", "1\n");
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Messages, Has.Count.EqualTo(1));
        Assert.That(File.ReadAllText(path + ".lock"), Is.EqualTo("1\n"), "someone else's lock is left alone");
    }

    [Test]
    public void StaleDotLockIsRemoved()
    {
        string path = NewMailboxWithoutIndex();
        string lockPath = path + ".lock";
        File.WriteAllText(lockPath, "99999\n");
        File.SetLastWriteTimeUtc(lockPath, DateTime.UtcNow.AddMinutes(-20));
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Messages, Has.Count.EqualTo(1));
        Assert.That(File.Exists(lockPath), Is.False);
    }

    [Test]
    public void FreshLockOfADeadProcessIsRemovedAtOnce()
    {
        string path = NewMailboxWithoutIndex();
        string lockPath = path + ".lock";
        using (var finished = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            finished.WaitForExit();
            File.WriteAllText(lockPath, finished.Id + "\n");
        }

        var watch = Stopwatch.StartNew();
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Messages, Has.Count.EqualTo(1));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "no waiting for a lock whose owner is gone");
        Assert.That(File.Exists(lockPath), Is.False);
    }

    [Test]
    public void EmptyFreshLockIsNotTakenForStale()
    {
        // Other programs may create the file before writing their pid: an empty lock is respected.
        string path = NewMailboxWithoutIndex();
        File.WriteAllText(path + ".lock", "");
        var e = Assert.Throws<StorageException>(() => _fixture.Driver.Open(path, "box", readOnly: false));
        Assert.That(e!.Error, Is.EqualTo(StorageError.InUse));
    }

    [Test]
    public void OurLockIsNeverLeftEmpty()
    {
        string path = NewMailbox();
        using var held = DotLock.Acquire(path, MboxDriverFixture.FastLocking);
        Assert.That(File.ReadAllText(path + ".lock"), Is.Not.Empty);
        Assert.That(Directory.EnumerateFiles(Path.GetDirectoryName(path)!, ".box.lock-*"), Is.Empty, "the pid file is linked, then removed");
    }

    [Test]
    public void LiveDotLockMakesUsFailWithInUse()
    {
        string path = NewMailboxWithoutIndex();
        string lockPath = path + ".lock";
        File.WriteAllText(lockPath, "1\n");
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<StorageException>(() => _fixture.Driver.Open(path, "box", readOnly: false));
        Assert.That(e!.Error, Is.EqualTo(StorageError.InUse));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90)), "retried before giving up");
        Assert.That(File.Exists(lockPath), Is.True, "someone else's lock is not ours to remove");
    }

    [Test]
    public void DotLockReleasedInTimeIsWaitedFor()
    {
        string path = NewMailbox();
        string lockPath = path + ".lock";
        File.WriteAllText(lockPath, "1\n");
        var release = Task.Run(async () =>
        {
            await Task.Delay(60);
            File.Delete(lockPath);
        });
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.Messages, Has.Count.EqualTo(1));
        release.Wait();
    }

    [Test]
    public void FcntlLockOfAnotherProcessMakesUsWaitOrFail()
    {
        string path = NewMailbox();
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        using (var locker = StartLocker(path, holdSeconds: 5))
        {
            var e = Assert.Throws<StorageException>(() => MboxTestSupport.Append(box, "blocked"));
            Assert.That(e!.Error, Is.EqualTo(StorageError.InUse));
            locker.Kill();
        }

        using (StartLocker(path, holdSeconds: 0.05))
        {
            Assert.That(MboxTestSupport.Append(box, "waited"), Is.EqualTo(2u));
        }
    }

    private static Process StartLocker(string path, double holdSeconds)
    {
        if (!File.Exists("/usr/bin/python3") && !File.Exists("/usr/local/bin/python3") && Which("python3") is null)
        {
            Assert.Ignore("python3 is needed to hold an fcntl lock from another process");
        }

        var process = Process.Start(new ProcessStartInfo("python3",
            ["-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(float(sys.argv[2]))",
                path, holdSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.That(process.StandardOutput.ReadLine(), Is.EqualTo("locked"));
        return process;
    }

    private static string RunLocker(string path, bool nonBlocking)
    {
        var process = Process.Start(new ProcessStartInfo("python3",
            ["-c", "import fcntl,sys; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX | (fcntl.LOCK_NB if sys.argv[2]=='1' else 0)); print('locked', flush=True)",
                path, nonBlocking ? "1" : "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        process.WaitForExit(10_000);
        return process.StandardOutput.ReadToEnd().Trim();
    }

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
