using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class ImapDateTests
{
    [TestCase("1-Feb-1994", 1994, 2, 1)]
    [TestCase("01-Feb-1994", 1994, 2, 1)]
    [TestCase("29-Feb-2000", 2000, 2, 29)]
    [TestCase("31-dec-1999", 1999, 12, 31)]
    [TestCase("1-JAN-2038", 2038, 1, 1)]
    public void ParsesDates(string text, int year, int month, int day)
    {
        Assert.That(ImapDate.TryParseDate(text, out var date), Is.True);
        Assert.That(date, Is.EqualTo(new DateOnly(year, month, day)));
    }

    [TestCase("")]
    [TestCase("30-Feb-1994")]
    [TestCase("29-Feb-1900")]
    [TestCase("31-Apr-1994")]
    [TestCase("0-Feb-1994")]
    [TestCase("32-Jan-1994")]
    [TestCase("1-Fev-1994")]
    [TestCase("1-February-1994")]
    [TestCase("1-2-1994")]
    [TestCase("1-Feb-94")]
    [TestCase("1-Feb-01994")]
    [TestCase("1-Feb-0000")]
    [TestCase("001-Feb-1994")]
    [TestCase(" 1-Feb-1994")]
    [TestCase("1-Feb-1994 ")]
    [TestCase("+1-Feb-1994")]
    [TestCase("1--1994")]
    [TestCase("1-Feb-1994-")]
    [TestCase("1 Feb 1994")]
    public void RejectsBadDates(string text)
    {
        Assert.That(ImapDate.TryParseDate(text, out _), Is.False);
    }

    [TestCase(" 1-Feb-1994 21:52:25 -0800", 1994, 2, 1, 21, 52, 25, -8 * 60)]
    [TestCase("01-Feb-1994 21:52:25 -0800", 1994, 2, 1, 21, 52, 25, -8 * 60)]
    [TestCase("17-Jul-1996 02:44:25 -0700", 1996, 7, 17, 2, 44, 25, -7 * 60)]
    [TestCase("31-Dec-1999 23:59:59 +0000", 1999, 12, 31, 23, 59, 59, 0)]
    [TestCase("29-feb-2024 00:00:00 +0530", 2024, 2, 29, 0, 0, 0, 5 * 60 + 30)]
    [TestCase("10-Oct-2010 10:10:10 -0030", 2010, 10, 10, 10, 10, 10, -30)]
    [TestCase("10-Oct-2010 10:10:10 +1400", 2010, 10, 10, 10, 10, 10, 14 * 60)]
    public void ParsesDateTimes(string text, int year, int month, int day, int hour, int minute, int second, int offsetMinutes)
    {
        Assert.That(ImapDate.TryParseDateTime(text, out var value), Is.True);
        var expected = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes));
        Assert.That((value, value.Offset), Is.EqualTo((expected, expected.Offset)));
    }

    [TestCase("")]
    [TestCase("1-Feb-1994 21:52:25 -0800")] // day neither zero- nor space-padded
    [TestCase("  -Feb-1994 21:52:25 -0800")]
    [TestCase("1 -Feb-1994 21:52:25 -0800")]
    [TestCase("01-Fev-1994 21:52:25 -0800")]
    [TestCase("30-Feb-1994 21:52:25 -0800")]
    [TestCase("29-Feb-1993 21:52:25 -0800")]
    [TestCase("01-Feb-1994 24:00:00 -0800")]
    [TestCase("01-Feb-1994 21:60:25 -0800")]
    [TestCase("01-Feb-1994 21:52:60 -0800")]
    [TestCase("01-Feb-1994 1:52:25 -08000")]
    [TestCase("01-Feb-1994 21:52:25 -08:0")]
    [TestCase("01-Feb-1994 21:52:25 PST  ")]
    [TestCase("01-Feb-1994 21:52:25  0800")]
    [TestCase("01-Feb-1994 21:52:25 *0800")]
    [TestCase("01-Feb-1994 21:52:25 -0860")]
    [TestCase("01-Feb-1994 21:52:25 -2400")]
    [TestCase("01-Feb-1994 21:52:25 +1500")] // beyond what any zone uses (and DateTimeOffset holds)
    [TestCase("01-Feb-1994 21:52:25 + 800")]
    [TestCase("01-Feb-1994 21:52:25 --800")]
    [TestCase("01-Feb-1994T21:52:25 -0800")]
    [TestCase("01-Feb-1994 21:52:25 -0800 ")]
    [TestCase("01-Feb-1994  21:52:25 -0800")]
    [TestCase("01-Jan-0001 00:00:00 +0100")] // before DateTimeOffset.MinValue in UTC
    [TestCase("31-Dec-9999 23:59:59 -0100")] // after DateTimeOffset.MaxValue in UTC
    public void RejectsBadDateTimes(string text)
    {
        Assert.That(ImapDate.TryParseDateTime(text, out _), Is.False);
    }

    [Test]
    public void FormatsWithTwoDigitDayAsGnuImap4dAndDovecot()
    {
        var value = new DateTimeOffset(1994, 2, 1, 21, 52, 25, TimeSpan.FromHours(-8));
        Assert.That(ImapDate.FormatDateTime(value), Is.EqualTo("01-Feb-1994 21:52:25 -0800"));
        Assert.That(ImapDate.FormatDateTime(new DateTimeOffset(2010, 10, 10, 1, 2, 3, TimeSpan.FromMinutes(-30))),
            Is.EqualTo("10-Oct-2010 01:02:03 -0030"));
        Assert.That(ImapDate.FormatDateTime(new DateTimeOffset(2010, 10, 10, 1, 2, 3, TimeSpan.Zero)),
            Is.EqualTo("10-Oct-2010 01:02:03 +0000"));
    }

    [Test]
    public void RandomDateTimesRoundTrip()
    {
        var random = TestContext.CurrentContext.Random;
        for (int i = 0; i < 5000; i++)
        {
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var local = new DateTime(random.Next(1900, 2101), 1, 1).AddSeconds(random.NextInt64(0, 365L * 24 * 3600));
            var value = new DateTimeOffset(local, offset);
            string text = ImapDate.FormatDateTime(value);
            Assert.That(text, Has.Length.EqualTo(26));
            Assert.That(ImapDate.TryParseDateTime(text, out var back), Is.True, text);
            Assert.That((back, back.Offset), Is.EqualTo((value, value.Offset)), text);
            Assert.That(ImapDate.TryParseDate(text[..11].TrimStart(), out var date), Is.True, text);
            Assert.That(date, Is.EqualTo(DateOnly.FromDateTime(local)));
        }
    }
}
