using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Tests.Native;

public class FileProbeTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "imap4d-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void OpensARegularFileAndTellsItsIdentity()
    {
        string file = Path.Combine(_dir, "1");
        File.WriteAllText(file, "From: a@example.org\n\nhello\n");
        using var directory = FileStatus.OpenDirectory(_dir)!;
        int fd = FileProbe.OpenRegular(directory, "1", out var status);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        try
        {
            Assert.That(Syscall.stat(file, out var st), Is.Zero);
            Assert.That(status.Inode, Is.EqualTo((long)st.st_ino));
            Assert.That(status.Size, Is.EqualTo(st.st_size));
            Assert.That(status.MtimeNs, Is.EqualTo(st.st_mtime * 1_000_000_000L + st.st_mtime_nsec));
            Assert.That(status.CtimeNs, Is.EqualTo(st.st_ctime * 1_000_000_000L + st.st_ctime_nsec));
            Span<byte> tail = stackalloc byte[6];
            Assert.That(FileProbe.ReadAt(fd, tail, status.Size - 6), Is.EqualTo(6));
            Assert.That(System.Text.Encoding.ASCII.GetString(tail), Is.EqualTo("hello\n"));
            Assert.That(FileProbe.ReadAt(fd, tail, status.Size), Is.Zero);
        }
        finally
        {
            FileProbe.Close(fd);
        }
    }

    [Test]
    public void RefusesLinksFifosDirectoriesAndMissingNames()
    {
        File.WriteAllText(Path.Combine(_dir, "target"), "x");
        File.CreateSymbolicLink(Path.Combine(_dir, "2"), Path.Combine(_dir, "target"));
        Assert.That(Syscall.mkfifo(Path.Combine(_dir, "3"), FilePermissions.S_IRUSR | FilePermissions.S_IWUSR), Is.Zero);
        Directory.CreateDirectory(Path.Combine(_dir, "4"));
        using var directory = FileStatus.OpenDirectory(_dir)!;
        foreach (string name in new[] { "2", "3", "4", "5" })
        {
            Assert.That(FileProbe.OpenRegular(directory, name, out _), Is.EqualTo(-1), name);
        }
    }
}
