using System.Text;
using Imap4d.IO;
using Imap4d.Native;
using Imap4d.Storage;

namespace Imap4d.Tests.IO;

public class LfToCrlfStreamTests
{
    /// <summary>Reads everything through reads of at most <paramref name="chunk"/> bytes.</summary>
    private static byte[] ReadAll(Stream stream, int chunk)
    {
        var result = new MemoryStream();
        var buffer = new byte[chunk];
        int n;
        while ((n = stream.Read(buffer, 0, chunk)) > 0)
        {
            result.Write(buffer, 0, n);
        }

        return result.ToArray();
    }

    private static byte[] Sample(int seed, int length)
    {
        // Long runs (block-sized lines), bare LF, CRLF, lone CR, CR right before a block end.
        var random = new Random(seed);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            int r = random.Next(100);
            bytes[i] = r switch
            {
                < 6 => (byte)'\n',
                < 9 => (byte)'\r',
                _ => (byte)('a' + (r % 26)),
            };
        }

        return bytes;
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(100)]
    [TestCase(32 * 1024)]
    [TestCase(200 * 1024)]
    public void ConvertsLikeLineEndingsForEveryReadSize(int chunk)
    {
        foreach (int length in new[] { 0, 1, 5, 32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 100_000 })
        {
            var raw = Sample(length + chunk, length);
            var expected = LineEndings.ToCrlf(raw);
            using var stream = new LfToCrlfStream(new MemoryStream(raw), expected.Length);
            Assert.That(ReadAll(stream, chunk), Is.EqualTo(expected), $"length {length}, reads of {chunk}");
            Assert.That(LfToCrlfStream.MeasureCrlf(new MemoryStream(raw)), Is.EqualTo(expected.Length));
        }
    }

    [Test]
    public void CrBeforeLfAcrossBlocksIsNotDoubled()
    {
        // The CR is the last byte of the first 32 KiB block, its LF the first of the next.
        var raw = new byte[64 * 1024];
        raw.AsSpan().Fill((byte)'x');
        raw[32 * 1024 - 1] = (byte)'\r';
        raw[32 * 1024] = (byte)'\n';
        raw[40_000] = (byte)'\n';
        var expected = LineEndings.ToCrlf(raw);
        using var stream = new LfToCrlfStream(new MemoryStream(raw), expected.Length);
        Assert.That(ReadAll(stream, 1000), Is.EqualTo(expected));
        Assert.That(expected.Length, Is.EqualTo(raw.Length + 1));
    }

    [Test]
    public void MessageFileReadsAFileAndReportsAMissingOne()
    {
        string dir = Path.Combine(Path.GetTempPath(), "imap4d-msgfile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "m");
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes("Subject: x\n\nbody\n"));
            using (var file = MessageFile.Open(path))
            using (var stream = new LfToCrlfStream(file, 20))
            {
                Assert.That(Encoding.ASCII.GetString(ReadAll(stream, 4096)), Is.EqualTo("Subject: x\r\n\r\nbody\r\n"));
            }

            Assert.Throws<FileNotFoundException>(() => MessageFile.Open(Path.Combine(dir, "gone")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
