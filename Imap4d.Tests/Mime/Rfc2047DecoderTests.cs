using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class Rfc2047DecoderTests
{
    [TestCase("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld Jørn Simonsen")]
    [TestCase("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "If you can read this you understand the example.")]
    [TestCase("(=?ISO-8859-1?Q?a?=)", "(a)")]
    [TestCase("(=?ISO-8859-1?Q?a?= b)", "(a b)")]
    [TestCase("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)")]
    [TestCase("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)", "(ab)")]
    [TestCase("(=?ISO-8859-1?Q?a_b?=)", "(a b)")]
    [TestCase("=?utf-8?b?8J+Ygg==?=", "\U0001F602")]
    [TestCase("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=", "café")]
    [TestCase("=?utf-8?b?w6k=?=", "é")]
    [TestCase("=?utf-8?B?w6k?=", "é")]
    [TestCase("=?koi8-r?b?8NLJ18XU?=", "Привет")]
    [TestCase("=?windows-1252?q?=80_=93x=94?=", "€ “x”")]
    [TestCase("=?iso-8859-15?q?=A4?=", "€")]
    [TestCase("=?x-unknown?q?caf=C3=A9?=", "café")]
    [TestCase("=?x-unknown?q?caf=E9?=", "café")]
    [TestCase("=?utf-8*en?q?hi?=", "hi")]
    [TestCase("plain caf\u00c3\u00a9 text", "plain café text")]
    [TestCase("=?utf-8?x?bad?=", "=?utf-8?x?bad?=")]
    [TestCase("=?utf-8?q?has space?=", "=?utf-8?q?has space?=")]
    [TestCase("=?", "=?")]
    [TestCase("a =?utf-8?q?b?= c", "a b c")]
    public void Decodes(string raw, string expected) => Assert.That(Rfc2047Decoder.Decode(raw), Is.EqualTo(expected));

    [TestCase("=?a?q?x ")]
    [TestCase("=?")]
    [TestCase("=?utf-8?q?")]
    [TestCase("=?utf-8?q?a?= ")]
    public void PathologicalInputIsLinear(string unit)
    {
        string raw = string.Concat(Enumerable.Repeat(unit, 256 * 1024 / unit.Length)) + "?=";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Rfc2047Decoder.Decode(raw);
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void LongWordsUpToTheLimitDecode()
    {
        string text = new('a', 900);
        Assert.That(Rfc2047Decoder.Decode("=?us-ascii?q?" + text + "?="), Is.EqualTo(text));
    }
}
