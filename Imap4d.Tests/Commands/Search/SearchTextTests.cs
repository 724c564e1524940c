using System.Text;
using Imap4d.Commands.Search;
using Imap4d.Mime;

namespace Imap4d.Tests.Commands.Search;

/// <summary>The pieces under BODY/TEXT and SENT*: folding, chunked matching and decoding, header reads, Date: parsing.</summary>
public class SearchTextTests
{
    [TestCase("Hello", "hello")]
    [TestCase("CAF\u00c9", "caf\u00e9")]
    [TestCase("\u03a3\u03c2\u03c3", "\u03c3\u03c3\u03c3")]
    [TestCase("\u212a", "k")]
    [TestCase("stra\u00dfe", "stra\u00dfe")]
    public void FoldsCaseInvariantly(string text, string folded)
    {
        Assert.That(TextFolding.Fold(text), Is.EqualTo(folded));
    }

    [Test]
    public void MatchesAcrossEveryChunkSplit()
    {
        const string text = "aaaa needle bbbb";
        for (int chunk = 1; chunk <= text.Length; chunk++)
        {
            var m = new TextMatcher("needle");
            for (int i = 0; i < text.Length; i += chunk)
            {
                m.Feed(text.AsSpan(i, Math.Min(chunk, text.Length - i)));
            }

            Assert.That(m.Found, Is.True, "chunk " + chunk);
        }
    }

    [Test]
    public void BreakStopsMatchesAcrossParts()
    {
        var m = new TextMatcher("needle");
        m.Feed("nee");
        m.Break();
        m.Feed("dle");
        Assert.That(m.Found, Is.False);
        m.Feed(" neeneedl");
        m.Feed("e");
        Assert.That(m.Found, Is.True);
    }

    [TestCase("utf-8")]
    [TestCase(null)]
    [TestCase("x-unknown")]
    public void Utf8SplitAcrossChunksAndLatin1Fallback(string? charset)
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("gr\u00f6\u00dfe \u20ac "), 0xE9, (byte)'!'];
        for (int split = 0; split <= bytes.Length; split++)
        {
            var decoder = ChunkTextDecoder.Create(charset);
            var chars = new char[64];
            int n = decoder.Decode(bytes.AsSpan(0, split), chars, final: false);
            n += decoder.Decode(bytes.AsSpan(split), chars.AsSpan(n), final: true);
            Assert.That(new string(chars, 0, n), Is.EqualTo("gr\u00f6\u00dfe \u20ac \u00e9!"), "split " + split);
        }
    }

    [TestCase("iso-8859-1", new byte[] { 0x63, 0x61, 0x66, 0xe9 }, "caf\u00e9")]
    [TestCase("windows-1252", new byte[] { 0x80, 0x20, 0x93, 0x78, 0x94 }, "\u20ac \u201cx\u201d")]
    [TestCase("koi8-r", new byte[] { 0xf0, 0xd2, 0xc9 }, "\u041f\u0440\u0438")]
    [TestCase("utf-16be", new byte[] { 0x00, 0x41, 0x00, 0xe9 }, "A\u00e9")]
    public void LegacyCharsets(string charset, byte[] bytes, string expected)
    {
        var chars = new char[32];
        int n = ChunkTextDecoder.Create(charset).Decode(bytes, chars, final: true);
        Assert.That(new string(chars, 0, n), Is.EqualTo(expected));
    }

    [TestCase("Subject: x\r\n\r\nbody", 14, "body")]
    [TestCase("Subject: x\n\nbody", 12, "body")]
    [TestCase("\r\nbody", 2, "body")]
    [TestCase("Subject: x\r\n", 12, "")]
    [TestCase("Subject: x\r\n \r\nbody\r\n\r\nmore", 23, "more")]
    public void HeaderReaderStopsAtTheBlankLine(string message, int headerLength, string bodyStart)
    {
        var read = MessageHeaderReader.Read(new MemoryStream(Encoding.ASCII.GetBytes(message)));
        Assert.That(read.HeaderLength, Is.EqualTo(headerLength));
        Assert.That(Encoding.ASCII.GetString(read.BodyStartBytes.Span), Is.EqualTo(bodyStart));
        Assert.That(read.Truncated, Is.False);
    }

    [Test]
    public void HugeHeaderIsTruncatedButTheBodyIsFound()
    {
        var sb = new StringBuilder("Subject: first\r\n");
        while (sb.Length < 3 * MessageHeaderReader.MaxHeader)
        {
            sb.Append("X-Filler: ").Append('f', 100).Append("\r\n");
        }

        sb.Append("\r\nthe body");
        var stream = new MemoryStream(Encoding.ASCII.GetBytes(sb.ToString()));
        var read = MessageHeaderReader.Read(stream);
        Assert.That(read.Truncated, Is.True);
        Assert.That(read.HeaderLength, Is.LessThanOrEqualTo(MessageHeaderReader.MaxHeader));
        Assert.That(Encoding.ASCII.GetString(read.Header.Span), Does.StartWith("Subject: first\r\n"));
        string rest = Encoding.ASCII.GetString(read.BodyStartBytes.Span) + new StreamReader(stream).ReadToEnd();
        Assert.That(rest, Is.EqualTo("the body"));
    }

    [TestCase("Tue, 3 Nov 2026 18:02:41 +0000", 2026, 11, 3)]
    [TestCase("Mon, 2 Nov 2026 23:30:00 -0800", 2026, 11, 2)]
    [TestCase("3 Nov 2026 18:02 +0000 (UTC)", 2026, 11, 3)]
    [TestCase("(comment 9 Dec 2020) 03 November 2026 00:00:00 GMT", 2026, 11, 3)]
    [TestCase("Thu, 1 Jan 70 00:00:00 +0000", 1970, 1, 1)]
    [TestCase("Sat, 1 Jan 49 00:00:00 +0000", 2049, 1, 1)]
    [TestCase("Fri, 31 Dec 099 00:00:00 +0000", 1999, 12, 31)]
    [TestCase("1 Jan 2026 25:00:00 +0000", 2026, 1, 1)]
    [TestCase("2-Nov-2026", 2026, 11, 2)]
    public void ParsesSentDates(string value, int year, int month, int day)
    {
        Assert.That(DateHeader.TryParse(value, out var date), Is.True);
        Assert.That(date.Date, Is.EqualTo(new DateOnly(year, month, day)));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("31 Feb 2026 00:00 +0000")]
    public void RejectsBrokenSentDates(string? value)
    {
        Assert.That(DateHeader.TryParse(value, out _), Is.False);
    }
}
