using System.Text;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// A message as APPEND stores it in an mbox (LF line ends, mboxrd quoting, our bookkeeping fields
/// dropped), written through <see cref="GatheredFileWriter"/>: the same bytes whether the draft
/// stayed in memory or went to its spool file.
/// </summary>
[TestFixture]
public class MboxDraftTests
{
    private const string Message =
        "Subject: x\r\nX-UID: 5\r\nStatus: RO\r\nFrom me\r\n\r\nFrom here\r\n>From there\r\nok\rstill\r\nlast";

    private const string Stored = "B" + "Subject: x\n>From me\n" + "M" + ">From here\n>>From there\nok\rstill\nlast" + "\n";

    [TestCase(1 << 20, true)]
    [TestCase(1 << 20, false)]
    [TestCase(0, true)]
    [TestCase(12, false)]
    public void WritesTheSameBytesFromMemoryAndFromTheSpool(int memoryLimit, bool seekable)
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        using var content = seekable ? new MemoryStream(bytes) : new OneWayStream(bytes);
        using var draft = MboxDraft.Prepare(content, memoryLimit);
        Assert.That(draft.BodyEndsWithNewline, Is.False);

        string path = Path.GetTempFileName();
        try
        {
            using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                var writer = new GatheredFileWriter(file, 0);
                draft.AddTo(writer, "B"u8.ToArray(), "M"u8.ToArray());
                draft.AddTo(writer, "B"u8.ToArray(), "M"u8.ToArray());
                writer.Flush();
                Assert.That(writer.Offset, Is.EqualTo(2 * Stored.Length));
            }

            Assert.That(File.ReadAllText(path), Is.EqualTo(Stored + Stored));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void GathersMorePiecesThanOneSystemCallTakes()
    {
        string path = Path.GetTempFileName();
        try
        {
            var expected = new StringBuilder();
            using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
            {
                var writer = new GatheredFileWriter(file, 0);
                for (int i = 0; i < 3000; i++)
                {
                    string piece = i.ToString() + (i % 7 == 0 ? "\n" : ",");
                    writer.Add(Encoding.ASCII.GetBytes(piece));
                    expected.Append(piece);
                }

                writer.Flush();
            }

            Assert.That(File.ReadAllText(path), Is.EqualTo(expected.ToString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A stream that cannot seek, as a socket.</summary>
    private sealed class OneWayStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
    }
}
