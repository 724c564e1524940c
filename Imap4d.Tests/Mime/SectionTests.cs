using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class SectionTests
{
    [TestCase("", "", "Full")]
    [TestCase("1", "1", "Full")]
    [TestCase("1.2.3", "1.2.3", "Full")]
    [TestCase("header", "", "Header")]
    [TestCase("TEXT", "", "Text")]
    [TestCase("2.mime", "2", "Mime")]
    [TestCase("3.HEADER", "3", "Header")]
    [TestCase("HEADER.FIELDS (From To)", "", "HeaderFields")]
    [TestCase("1.header.fields.not (\"X-A\" b)", "1", "HeaderFieldsNot")]
    public void ParsesValidSections(string text, string parts, string kind)
    {
        Assert.That(SectionSpec.TryParse(text, out var spec), Is.True);
        Assert.That(string.Join('.', spec.Part), Is.EqualTo(parts));
        Assert.That(spec.Kind.ToString(), Is.EqualTo(kind));
    }

    [TestCase("MIME")]
    [TestCase("0")]
    [TestCase("1.")]
    [TestCase("01")]
    [TestCase(".1")]
    [TestCase("1..2")]
    [TestCase("HEADER.FIELDS")]
    [TestCase("HEADER.FIELDS ()")]
    [TestCase("HEADER.FIELDS (a")]
    [TestCase("HEADER.FIELDS (a]b)")]
    [TestCase("BODY")]
    [TestCase("1.TEXT.MIME")]
    [TestCase("99999999999")]
    [TestCase("4294967296")]
    public void RejectsInvalidSections(string text) => Assert.That(SectionSpec.TryParse(text, out _), Is.False);

    [Test]
    public void CanonicalText()
    {
        SectionSpec.TryParse("1.header.fields.not (from \"x y\")", out var spec);
        Assert.That(spec.ToString(), Is.EqualTo("1.HEADER.FIELDS.NOT (from \"x y\")"));
        SectionSpec.TryParse("", out spec);
        Assert.That(spec.ToString(), Is.EqualTo(""));
    }

    [TestCase("<0.10>", 0, 10)]
    [TestCase("<123.4567>", 123, 4567)]
    [TestCase("<01.2>", 1, 2)]
    [TestCase("<4294967295.4294967295>", 4294967295, 4294967295)]
    [TestCase("<0.4294967296>", 0, 4294967295)] // clamped, as GNU imap4d and Dovecot answer it (issue 11)
    [TestCase("<4294967296.1>", 4294967295, 1)]
    public void ParsesPartial(string text, long offset, long count)
    {
        Assert.That(SectionSpec.TryParsePartial(text, out long o, out long c), Is.True);
        Assert.That((o, c), Is.EqualTo((offset, count)));
    }

    [TestCase("<0>")]
    [TestCase("<1.0>")]
    [TestCase("<.1>")]
    [TestCase("<1.>")]
    [TestCase("0.1")]
    [TestCase("<-1.2>")]
    [TestCase("<1.02>")]
    public void RejectsBadPartial(string text) => Assert.That(SectionSpec.TryParsePartial(text, out _, out _), Is.False);

    private static string Section(string message, string section)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(message);
        var root = MimeScanner.Scan(bytes);
        Assert.That(SectionSpec.TryParse(section, out var spec), Is.True);
        var r = SectionLocator.Locate(root, spec);
        if (r is null)
        {
            return "NIL";
        }

        return Encoding.Latin1.GetString(r.Content ?? bytes.AsSpan((int)r.Offset, (int)r.Length).ToArray());
    }

    private const string Nested =
        "Subject: top\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
        "--x\r\nContent-Type: text/plain\r\n\r\nfirst\r\n" +
        "--x\r\nContent-Type: message/rfc822\r\n\r\n" +
        "Subject: inner\r\nX-A: 1\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n" +
        "--y\r\n\r\nalt one\r\n--y\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--y--\r\n" +
        "--x--\r\n";

    [TestCase("1", "first")]
    [TestCase("1.MIME", "Content-Type: text/plain\r\n\r\n")]
    [TestCase("2.MIME", "Content-Type: message/rfc822\r\n\r\n")]
    [TestCase("2.HEADER", "Subject: inner\r\nX-A: 1\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n")]
    [TestCase("2.HEADER.FIELDS (x-a SUBJECT)", "Subject: inner\r\nX-A: 1\r\n\r\n")]
    [TestCase("2.HEADER.FIELDS.NOT (x-a SUBJECT)", "Content-Type: multipart/alternative; boundary=y\r\n\r\n")]
    [TestCase("2.TEXT", "--y\r\n\r\nalt one\r\n--y\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--y--")]
    [TestCase("2.1", "alt one")]
    [TestCase("2.2", "<p>two</p>")]
    [TestCase("2.2.MIME", "Content-Type: text/html\r\n\r\n")]
    [TestCase("2.3", "NIL")]
    [TestCase("1.1", "NIL")]
    [TestCase("1.HEADER", "NIL")]
    [TestCase("3", "NIL")]
    [TestCase("4294967295", "NIL")]
    [TestCase("HEADER.FIELDS (subject nothing)", "Subject: top\r\n\r\n")]
    public void NestedMessageSections(string section, string expected) => Assert.That(Section(Nested, section), Is.EqualTo(expected));

    private const string Single = "Subject: s\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbody\r\n";

    [TestCase("1", "Subject: in\r\n\r\nbody\r\n")]
    [TestCase("1.MIME", "Subject: s\r\nContent-Type: message/rfc822\r\n\r\n")]
    [TestCase("1.HEADER", "Subject: in\r\n\r\n")]
    [TestCase("1.TEXT", "body\r\n")]
    [TestCase("1.1", "body\r\n")]
    [TestCase("2", "NIL")]
    [TestCase("TEXT", "Subject: in\r\n\r\nbody\r\n")]
    public void SinglePartMessageSections(string section, string expected) => Assert.That(Section(Single, section), Is.EqualTo(expected));

    private const string HeaderOnly = "Subject: s\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nX-A: 1\r\n";

    // RFC 3501 §6.4.5: the blank line is included in all header fetches "except in the case of
    // a message which has no body and no blank line" (Dovecot leaves it out of HEADER.FIELDS.NOT only).
    [TestCase("1.HEADER", "Subject: in\r\nX-A: 1\r\n")]
    [TestCase("1.HEADER.FIELDS (subject)", "Subject: in\r\n")]
    [TestCase("1.HEADER.FIELDS.NOT (subject)", "X-A: 1\r\n")]
    [TestCase("1.HEADER.FIELDS (nothing)", "")]
    [TestCase("HEADER.FIELDS (subject)", "Subject: s\r\n\r\n")]
    [TestCase("HEADER.FIELDS.NOT (subject)", "Content-Type: message/rfc822\r\n\r\n")]
    public void NoBlankLineAddedToAHeaderWithoutOne(string section, string expected) =>
        Assert.That(Section(HeaderOnly, section), Is.EqualTo(expected));

    [TestCase("", "")]
    [TestCase("Subject: x", "Subject: x")]
    [TestCase("From: a\r\nSubject: x", "Subject: x")]
    [TestCase("Subject: x\r\n", "Subject: x\r\n")]
    [TestCase("Subject: x\r\n\r\n", "Subject: x\r\n\r\n")]
    [TestCase("\r\nbody", "\r\n")]
    public void TopLevelHeaderFields(string message, string expected) =>
        Assert.That(Section(message, "HEADER.FIELDS (SUBJECT)"), Is.EqualTo(expected));

    [Test]
    public void HeaderFieldsOfATruncatedHeaderAreReadAgainFromTheStream()
    {
        string big = "X-Big: " + new string('a', MimeScanner.MaxHeaderBytes) + "\r\n";
        byte[] bytes = Encoding.Latin1.GetBytes(big + "Subject: late\r\n\r\nbody");
        var root = MimeScanner.Scan(bytes);
        Assert.That(root.Header.Truncated, Is.True);
        SectionSpec.TryParse("HEADER.FIELDS (X-BIG)", out var spec);
        var r = SectionLocator.Locate(root, spec, new MemoryStream(bytes))!;
        Assert.That(r.Content!.Length, Is.EqualTo(big.Length + 2));
    }
}
