using System.Text;
using Imap4d.Mime;
using Imap4d.Protocol;

namespace Imap4d.Tests.Mime;

/// <summary>The wire forms of BODY, BODYSTRUCTURE and ENVELOPE on small hand-checked examples.</summary>
[TestFixture]
public class WriterTests
{
    private static MimePart Scan(string s) => MimeScanner.Scan(Encoding.Latin1.GetBytes(s));

    private static string Text(byte[] b) => Encoding.Latin1.GetString(b);

    [Test]
    public void BodyAndBodyStructureOfAMultipart()
    {
        var root = Scan(
            "From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\nContent-Language: en\r\n\r\n" +
            "--x\r\n\r\nhello\r\n--x\r\nContent-Type: image/png; name=p.png\r\nContent-Transfer-Encoding: base64\r\n" +
            "Content-Disposition: attachment; filename=p.png\r\nContent-MD5: Zm9v\r\n\r\niVBO\r\n--x--\r\n");
        Assert.That(Text(MimeFixtures.Body(root, false)), Is.EqualTo(
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0)" +
            "(\"image\" \"png\" (\"name\" \"p.png\") NIL NIL \"base64\" 4) \"mixed\")"));
        Assert.That(Text(MimeFixtures.Body(root, true)), Is.EqualTo(
            "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)" +
            "(\"image\" \"png\" (\"name\" \"p.png\") NIL NIL \"base64\" 4 \"Zm9v\" (\"attachment\" (\"filename\" \"p.png\")) NIL NIL)" +
            " \"mixed\" (\"boundary\" \"x\") NIL (\"en\") NIL)"));
    }

    [Test]
    public void MessageRfc822CarriesEnvelopeBodyAndLines()
    {
        var root = Scan("Content-Type: message/rfc822\r\n\r\nSubject: in\r\nFrom: x@y\r\n\r\nbody\r\n");
        Assert.That(Text(MimeFixtures.Body(root, false)), Is.EqualTo(
            "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 32 " +
            "(NIL \"in\" ((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) ((NIL NIL \"x\" \"y\")) NIL NIL NIL NIL NIL) " +
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1) 4)"));
    }

    [Test]
    public void EmptyMessageRfc822PartStillHasEnvelopeAndBody()
    {
        // The part's header runs into the boundary: no body at all. RFC 3501 body-type-msg still
        // needs an envelope, a body and a line count (Dovecot sends the same).
        var root = Scan("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n--b--\r\n");
        Assert.That(Text(MimeFixtures.Body(root, false)), Is.EqualTo(
            "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) " +
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) 0) \"mixed\")"));
    }

    [Test]
    public void EnvelopeGroupsRoutesAndLiterals()
    {
        var root = Scan("Subject: caf\xc3\xa9\r\nTo: g: a@b;, <@r:u@h>\r\nIn-Reply-To: <p@q>\r\nX: \0\r\n\r\n");
        Assert.That(Text(MimeFixtures.Envelope(root)), Is.EqualTo(
            "(NIL {5}\r\ncaf\xc3\xa9 NIL NIL NIL ((NIL NIL \"g\" NIL)(NIL NIL \"a\" \"b\")(NIL NIL NIL NIL)(NIL \"@r\" \"u\" \"h\")) NIL NIL \"<p@q>\" NIL)"));
    }

    [Test]
    public void NulBecomesReplacementCharacter()
    {
        var e = new Envelope(null, "a\0b", null, null, null, null, null, null, null, null);
        byte[] wire = MimeFixtures.Wire(w => EnvelopeWriter.Write(w, e));
        Assert.That(wire.AsSpan().IndexOf((byte)0), Is.EqualTo(-1));
        Assert.That(Text(wire), Does.Contain("a\xef\xbf\xbd" + "b"));
    }
}
