using Imap4d.Commands.Sort;
using Imap4d.Mime;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>The collation (i;unicode-casemap) and the sent dates SORT compares.</summary>
public class SortKeyTextTests
{
    [TestCase("abc", "ABC")]
    [TestCase("ABC", "ABC")]
    [TestCase("\u00e9t\u00e9", "E\u0301TE\u0301")]
    [TestCase("\u01c6ungla", "Dz\u030cUNGLA")]
    [TestCase("stra\u00dfe", "STRA\u00dfE")]
    public void MapsToTitlecaseDecomposed(string text, string key) =>
        Assert.That(UnicodeCasemap.Key(text), Is.EqualTo(key));

    [Test]
    public void EqualUnderTheCollationMeansEqualKeys()
    {
        Assert.That(UnicodeCasemap.Key("\u00c9cole"), Is.EqualTo(UnicodeCasemap.Key("e\u0301cole")));
        Assert.That(UnicodeCasemap.Key("\u03c3\u03bf\u03c6\u03af\u03b1"), Is.EqualTo(UnicodeCasemap.Key("\u03a3\u039f\u03a6\u038a\u0391")));
    }

    [TestCase("Tue, 3 Nov 2026 18:02:41 +0000", "2026-11-03T18:02:41Z")]
    [TestCase("3 Nov 2026 18:02 -0800", "2026-11-04T02:02:00Z")]
    [TestCase("Mon, 2 Nov 2026 23:30:00 +0100 (CET)", "2026-11-02T22:30:00Z")]
    [TestCase("Thu, 1 Jan 98 00:00:00 EST", "1998-01-01T05:00:00Z")]
    [TestCase("1 jan 2026 10:00:00 GMT", "2026-01-01T10:00:00Z")]
    [TestCase("2-Nov-2026 10:00:00 +0000", "2026-11-02T10:00:00Z")]
    [TestCase("Mon,2 Nov 2026 10:00:00+0200", "2026-11-02T08:00:00Z")]
    [TestCase("Mon, 2 Nov 2026 10:00:00 XYZ", "2026-11-02T10:00:00Z")]
    public void ReadsSentTimes(string value, string utc) =>
        Assert.That(SentTime(value), Is.EqualTo(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds()));

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("31 Feb 2026 10:00:00 +0000")]
    [TestCase("1 Jan 2026")]
    [TestCase("1 Jan 2026 25:00:00 +0000")]
    public void RejectsUnreadableDates(string value) => Assert.That(SentTime(value), Is.Null);

    private static long? SentTime(string value) => DateHeader.TryParse(value, out var date) ? date.UnixSeconds : null;
}
