using Imap4d.IO;
using Imap4d.Tests.Config;
using Mono.Unix.Native;

namespace Imap4d.Tests.IO;

public class SpillStreamTests
{
    [Test]
    public void SmallDataStaysInMemoryAndLargeDataGoesToAPrivateUnlinkedFile()
    {
        using var temp = new TempDirectory();
        var data = new byte[3000];
        new Random(1).NextBytes(data);
        using (var small = new SpillStream(4096, temp.Path))
        {
            small.Write(data);
            Assert.That(small.Spilled, Is.False);
        }

        using (var spill = new SpillStream(4096, temp.Path))
        {
            spill.Write(data);
            spill.WriteByte(7);
            spill.Write(data);
            Assert.That(spill.Spilled, Is.True);
            Assert.That(Directory.GetFiles(temp.Path), Is.Empty, "unlinked at once: nothing is left even if the process is killed");

            spill.Position = 0;
            var back = new byte[spill.Length];
            spill.ReadExactly(back);
            Assert.That(back, Is.EqualTo(data.Append((byte)7).Concat(data).ToArray()));
        }

    }

    [Test]
    public void LiteralSpoolFilesArePrivate()
    {
        using var temp = new TempDirectory();
        using var spool = Imap4d.Protocol.FileLiteral.CreateSpool(temp.Path);
        Assert.That(Syscall.fstat((int)spool.SafeFileHandle.DangerousGetHandle(), out var st), Is.Zero);
        Assert.That((int)st.st_mode & 0x1ff, Is.EqualTo(0x180), "mode 0600: it holds someone's mail");
        Assert.That(Directory.GetFiles(temp.Path), Is.Empty, "unlinked");
    }
}
