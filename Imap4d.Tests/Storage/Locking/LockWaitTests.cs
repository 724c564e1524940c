using System.Diagnostics;
using Imap4d.Storage;
using Imap4d.Storage.Locking;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Storage.Locking;

/// <summary>
/// Waiting for a mailbox lock (issue 9, item 5): a lock that another of our sessions holds is
/// waited for, with short pauses, beyond the configured wait; INUSE is only for other programs.
/// </summary>
[TestFixture]
[NonParallelizable]
public class LockWaitTests
{
    private static readonly LockingOptions Quick = new() { RetryCount = 3, RetrySleep = TimeSpan.FromMilliseconds(50) };

    private string _dir = null!;
    private string _mailbox = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("imap4d-lockwait-").FullName;
        _mailbox = Path.Combine(_dir, "box");
        File.WriteAllText(_mailbox, "");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>A live process whose command name is this process's own: to the lock code, another session of ours.</summary>
    private Process StartOwnLookalike()
    {
        string comm = File.ReadAllText("/proc/self/comm").Trim();
        string program = Path.Combine(_dir, comm);
        File.Copy("/bin/sleep", program);
        File.SetUnixFileMode(program, (UnixFileMode)0x1ed);
        var process = Process.Start(new ProcessStartInfo(program, "30") { UseShellExecute = false })!;
        Assert.That(File.ReadAllText($"/proc/{process.Id}/comm").Trim(), Is.EqualTo(comm));
        return process;
    }

    [Test]
    public void DotLockOfAnotherSessionIsWaitedForBeyondTheConfiguredWait()
    {
        using var session = StartOwnLookalike();
        try
        {
            File.WriteAllText(DotLock.LockPathFor(_mailbox), session.Id + "\n");
            var release = Task.Run(async () =>
            {
                await Task.Delay(600);
                File.Delete(DotLock.LockPathFor(_mailbox));
            });
            var watch = Stopwatch.StartNew();
            using (var held = DotLock.Acquire(_mailbox, Quick))
            {
                Assert.That(held, Is.Not.Null);
            }

            Assert.That(watch.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(500)), "waited for the session, past the 100 ms configured for other programs");
            release.Wait();
        }
        finally
        {
            session.Kill();
        }
    }

    [Test]
    public void DotLockOfAnotherProgramStillGivesInUseAfterTheConfiguredWait()
    {
        using var other = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(DotLock.LockPathFor(_mailbox), other.Id + "\n");
            var watch = Stopwatch.StartNew();
            var e = Assert.Throws<StorageException>(() => DotLock.Acquire(_mailbox, Quick));
            Assert.That(e!.Error, Is.EqualTo(StorageError.InUse));
            Assert.That(watch.Elapsed, Is.InRange(TimeSpan.FromMilliseconds(90), TimeSpan.FromSeconds(2)));
        }
        finally
        {
            other.Kill();
        }
    }

    [Test]
    public void ALockReleasedSoonIsTakenAtOnceNotAfterARetrySleep()
    {
        // The defaults sleep a whole second between tries; a lock held for a few milliseconds
        // (what one of our sessions needs) must not cost that second.
        using var other = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false })!;
        try
        {
            File.WriteAllText(DotLock.LockPathFor(_mailbox), other.Id + "\n");
            var release = Task.Run(async () =>
            {
                await Task.Delay(30);
                File.Delete(DotLock.LockPathFor(_mailbox));
            });
            var watch = Stopwatch.StartNew();
            using (DotLock.Acquire(_mailbox, LockingOptions.Default))
            {
            }

            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(900)), "not after a whole retry sleep");
            release.Wait();
        }
        finally
        {
            other.Kill();
        }
    }

    [Test]
    public void FcntlLockReleasedSoonIsTakenAtOnce()
    {
        string python = RepoPaths.FindProgram("python3") ?? "";
        if (python.Length == 0)
        {
            Assert.Ignore("python3 is needed to hold an fcntl lock from another process");
        }

        using var locker = Process.Start(new ProcessStartInfo(python,
            ["-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(0.05)", _mailbox])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.That(locker.StandardOutput.ReadLine(), Is.EqualTo("locked"));
        var watch = Stopwatch.StartNew();
        using (var held = MailboxFileLock.Acquire(_mailbox, LockingOptions.Default with { UseDotLock = false }))
        {
            Assert.That(held.Writable, Is.True);
        }

        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromMilliseconds(900)), "not after a whole retry sleep");
    }
}
