using Imap4d.Storage.Index;

namespace Imap4d.Tests.Storage.Index;

/// <summary>CRC-32C: the known check value, and four blocks at once giving what each gives alone.</summary>
[TestFixture]
public class ChecksumTests
{
    [Test]
    public void TheCheckValueOfCrc32CIsKnown() =>
        Assert.That(Checksum.Of("123456789"u8), Is.EqualTo(0xE3069283u));

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(76)]
    [TestCase(77)]
    public void FourBlocksAtOnceGiveWhatEachGivesAlone(int length)
    {
        var random = new Random(length);
        var blocks = Enumerable.Range(0, 4).Select(_ =>
        {
            var block = new byte[length];
            random.NextBytes(block);
            return block;
        }).ToArray();
        var (a, b, c, d) = Checksum.OfFour(blocks[0], blocks[1], blocks[2], blocks[3]);
        Assert.That(new[] { a, b, c, d }, Is.EqualTo(blocks.Select(block => Checksum.Of(block)).ToArray()));
    }
}
