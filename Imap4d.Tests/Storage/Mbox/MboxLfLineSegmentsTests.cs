using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// The CRLF-to-LF line reader of mbox APPEND against <see cref="LineEndings.ToLf"/>: CRs split
/// from their LF by a read, lone CRs, long lines and input arriving in odd pieces.
/// </summary>
[TestFixture]
public class MboxLfLineSegmentsTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(7)]
    [TestCase(4096)]
    [TestCase(1 << 20)]
    public void JoinsToTheLfTextWhateverTheReadSizes(int maxRead)
    {
        var random = new Random(maxRead);
        for (int round = 0; round < 40; round++)
        {
            byte[] input = RandomText(random, random.Next(0, round < 30 ? 3000 : 200_000));
            var joined = new MemoryStream();
            var lineStarts = new List<long>();
            using (var lines = new LfLineSegments(new ChoppyStream(input, maxRead, random)))
            {
                while (lines.Next(out var segment, out bool lineStart))
                {
                    Assert.That(segment.Length, Is.GreaterThan(0));
                    if (lineStart)
                    {
                        lineStarts.Add(joined.Length);
                    }

                    joined.Write(segment);
                }
            }

            byte[] expected = LineEndings.ToLf(input);
            Assert.That(joined.ToArray(), Is.EqualTo(expected), $"round {round}");
            var expectedStarts = new List<long>();
            for (int i = 0; i < expected.Length; i++)
            {
                if (i == 0 || expected[i - 1] == '\n')
                {
                    expectedStarts.Add(i);
                }
            }

            Assert.That(lineStarts, Is.EqualTo(expectedStarts), $"round {round}: line starts");
        }
    }

    /// <summary>Lines of letters, CR, LF, CRLF, "From " and '>' in every mix, some longer than the reader's buffer.</summary>
    private static byte[] RandomText(Random random, int length)
    {
        byte[] pieces = "\r\n\r\nab>F"u8.ToArray();
        var text = new byte[length];
        for (int i = 0; i < length; i++)
        {
            text[i] = random.Next(10) < 3 ? pieces[random.Next(pieces.Length)] : (byte)('a' + random.Next(26));
        }

        if (length > 100_000)
        {
            Array.Fill(text, (byte)'x', 1000, 80_000); // one line longer than the buffer
        }

        return text;
    }

    /// <summary>Returns at most a random number (up to <c>maxRead</c>) of bytes per read.</summary>
    private sealed class ChoppyStream(byte[] data, int maxRead, Random random) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) =>
            base.Read(buffer, offset, Math.Min(count, random.Next(1, maxRead + 1)));
    }
}
