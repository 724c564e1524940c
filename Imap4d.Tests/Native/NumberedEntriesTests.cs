using Imap4d.Native;
using Mono.Unix.Native;

namespace Imap4d.Tests.Native;

public class NumberedEntriesTests
{
    [Test]
    public void ListsOnlyMessageNumbersWithTheirInodes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "imap4d-numbered-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string[] names = ["1", "2", "10", "999999999", "1000000000", "0", "07", ",3", "4x", ".mh_sequences", "12345"];
            foreach (string name in names)
            {
                File.WriteAllText(Path.Combine(dir, name), name);
            }

            Directory.CreateDirectory(Path.Combine(dir, "5"));
            var listed = NumberedEntries.Read(dir)!;
            Assert.That(listed.Select(e => e.Number).Order(), Is.EqualTo(new[] { 1, 2, 5, 10, 12345, 999999999 }),
                "1-9 digits, no leading zero (directories too: the caller lstats what it takes)");
            foreach (var (number, inode) in listed)
            {
                Assert.That(Syscall.lstat(Path.Combine(dir, number.ToString()), out var st), Is.Zero);
                Assert.That(inode, Is.EqualTo((long)st.st_ino));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void ListsLargeDirectoriesAcrossManyReads()
    {
        string dir = Path.Combine(Path.GetTempPath(), "imap4d-numbered-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            for (int i = 1; i <= 5000; i++)
            {
                File.WriteAllText(Path.Combine(dir, i.ToString()), string.Empty);
            }

            Assert.That(NumberedEntries.Read(dir)!.Select(e => e.Number).Order(), Is.EqualTo(Enumerable.Range(1, 5000)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AMissingDirectoryIsNullWithErrno()
    {
        Assert.That(NumberedEntries.Read("/nonexistent-" + Guid.NewGuid().ToString("N")), Is.Null);
        Assert.That(NativeErrno.Last, Is.EqualTo(Errno.ENOENT));
    }
}
