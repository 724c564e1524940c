using System.Diagnostics;
using Imap4d.Native;
using Imap4d.Storage;
using Imap4d.Storage.Locking;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Native;

/// <summary>
/// Record locks belong to the descriptor, not the process (F_OFD_SETLK): the prerequisite for
/// serving several sessions in one process, where with classic POSIX locks one session's
/// close() of the mailbox file silently drops the lock another session holds, and two
/// sessions never exclude each other.
/// </summary>
[TestFixture]
public class RecordLockTests
{
    private string _dir = null!;
    private string _file = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("imap4d-recordlock-").FullName;
        _file = Path.Combine(_dir, "box");
        File.WriteAllText(_file, "x");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private int Open() => Syscall.open(_file, OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC);

    [Test]
    public void TwoDescriptorsOfOneProcessExcludeEachOther()
    {
        Assume.That(RecordLock.PerDescriptor, Is.True, "kernel without OFD locks");
        int first = Open();
        int second = Open();
        try
        {
            Assert.That(RecordLock.Set(first, LockType.F_WRLCK), Is.EqualTo((Errno)0));
            Assert.That(RecordLock.Set(second, LockType.F_WRLCK), Is.AnyOf(Errno.EAGAIN, Errno.EACCES));
            Assert.That(RecordLock.Set(second, LockType.F_RDLCK), Is.AnyOf(Errno.EAGAIN, Errno.EACCES));
            Assert.That(RecordLock.Set(first, LockType.F_UNLCK), Is.EqualTo((Errno)0));
            Assert.That(RecordLock.Set(second, LockType.F_WRLCK), Is.EqualTo((Errno)0));
        }
        finally
        {
            Syscall.close(first);
            Syscall.close(second);
        }
    }

    [Test]
    public void MailboxLockSurvivesAnotherSessionClosingTheSameFile()
    {
        string python = RepoPaths.FindProgram("python3") ?? "";
        if (python.Length == 0)
        {
            Assert.Ignore("python3 is needed to probe the lock from another process");
        }

        using var held = MailboxFileLock.Acquire(_file, LockingOptions.Default with { UseDotLock = false });
        // Another session of this process reads the same file and closes it.
        File.ReadAllText(_file);

        // A classic-lock program (Python's lockf is fcntl F_SETLK) must still be refused.
        using var probe = Process.Start(new ProcessStartInfo(python,
            ["-c", "import fcntl,sys\nf=open(sys.argv[1],'r+')\ntry:\n  fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('free')\nexcept OSError: print('held')", _file])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.That(probe.StandardOutput.ReadLine(), Is.EqualTo("held"));
        probe.WaitForExit();
    }

    [Test]
    public void TheHolderOfAClassicLockIsNamed()
    {
        string python = RepoPaths.FindProgram("python3") ?? "";
        if (python.Length == 0)
        {
            Assert.Ignore("python3 is needed to hold an fcntl lock from another process");
        }

        using var locker = Process.Start(new ProcessStartInfo(python,
            ["-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(5)", _file])
        {
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.That(locker.StandardOutput.ReadLine(), Is.EqualTo("locked"));
            int fd = Open();
            try
            {
                Assert.That(RecordLock.Set(fd, LockType.F_WRLCK), Is.AnyOf(Errno.EAGAIN, Errno.EACCES));
                Assert.That(RecordLock.Holder(fd, LockType.F_WRLCK), Is.EqualTo(locker.Id));
            }
            finally
            {
                Syscall.close(fd);
            }
        }
        finally
        {
            locker.Kill();
        }
    }
}
