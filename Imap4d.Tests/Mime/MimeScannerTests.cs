using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class MimeScannerTests
{
    private static MimePart Scan(string s) => MimeScanner.Scan(Encoding.Latin1.GetBytes(s));

    [Test]
    public void EmptyMessage()
    {
        var root = Scan("");
        Assert.That((root.HeaderOffset, root.BodyOffset, root.EndOffset, root.BodyLines), Is.EqualTo((0L, 0L, 0L, 0L)));
        Assert.That(root.EffectiveType.Is("text", "plain"), Is.True);
        Assert.That(root.ContentType, Is.Null);
    }

    [Test]
    public void HeaderWithoutBlankLine()
    {
        var root = Scan("From: a@b\r\nSubject: x");
        Assert.That((root.BodyOffset, root.EndOffset), Is.EqualTo((21L, 21L)));
        Assert.That(root.Header.GetValue("Subject"), Is.EqualTo("x"));
    }

    [Test]
    public void BlankLineOnly()
    {
        var root = Scan("\r\nbody");
        Assert.That((root.HeaderSize, root.BodySize), Is.EqualTo((2L, 4L)));
    }

    [Test]
    public void MixedLineEndsCountBytesAsGiven()
    {
        string m = "Content-Type: multipart/mixed; boundary=b\n\r\n--b\r\n\nline1\r\nline2\n--b--\n";
        var root = Scan(m);
        Assert.That(root.HeaderSize, Is.EqualTo(44));
        var part = root.Children.Single();
        Assert.That(part.HeaderOffset, Is.EqualTo(m.IndexOf("--b\r\n", StringComparison.Ordinal) + 5));
        Assert.That(part.HeaderSize, Is.EqualTo(1));
        Assert.That(part.BodyOffset, Is.EqualTo(m.IndexOf("line1", StringComparison.Ordinal)));
        Assert.That(part.BodySize, Is.EqualTo("line1\r\nline2".Length));
        Assert.That(part.BodyLines, Is.EqualTo(1));
    }

    [Test]
    public void TransportPaddingAndCloseDelimiterWithTrailingText()
    {
        var root = Scan("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t \r\n\r\none\r\n--b--  junk\r\nepilogue\r\n");
        Assert.That(root.Children, Has.Count.EqualTo(1));
        Assert.That(root.Children[0].BodySize, Is.EqualTo(3));
    }

    [Test]
    public void BoundaryInsideAPartHeaderEndsThePart()
    {
        var root = Scan("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n--b\r\n\r\ntwo\r\n--b--\r\n");
        Assert.That(root.Children, Has.Count.EqualTo(2));
        Assert.That(root.Children[0].EffectiveType.Subtype, Is.EqualTo("html"));
        Assert.That(root.Children[0].BodySize, Is.EqualTo(0));
        Assert.That(root.Children[1].BodySize, Is.EqualTo(3));
    }

    [Test]
    public void InnermostBoundaryWinsAndLongestPrefixIsChosen()
    {
        var root = Scan(
            "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n" +
            "Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n\r\ninner\r\n--a\r\n\r\nouter\r\n--a--\r\n");
        Assert.That(root.Children, Has.Count.EqualTo(2));
        Assert.That(root.Children[0].Children, Has.Count.EqualTo(1));
        Assert.That(root.Children[0].Children[0].BodySize, Is.EqualTo(5));
        Assert.That(root.Children[1].BodySize, Is.EqualTo(5));
    }

    [Test]
    public void DigestChildrenDefaultToMessage()
    {
        var root = Scan("Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: x\r\n\r\nb\r\n--d--\r\n");
        Assert.That(root.Children[0].IsMessage, Is.True);
        Assert.That(root.Children[0].Message!.Header.GetValue("Subject"), Is.EqualTo("x"));
    }

    [Test]
    public void MimeFieldsAreParsed()
    {
        var root = Scan(
            "Content-Type: text/plain; charset=utf-8\r\nContent-ID: <x@y> \r\nContent-Description: d\r\n" +
            "Content-Transfer-Encoding: Base64 (c)\r\nContent-MD5: m\r\nContent-Disposition: inline; filename=f\r\n" +
            "Content-Language: en, de\r\nContent-Location: http://x/\r\n\r\nQUJD\r\n");
        Assert.That(root.ContentId, Is.EqualTo("<x@y> "), "raw, as Dovecot sends it");
        Assert.That(root.ContentDescription, Is.EqualTo("d"));
        Assert.That(root.ContentTransferEncoding, Is.EqualTo("Base64"));
        Assert.That(root.ContentMd5, Is.EqualTo("m"));
        Assert.That(root.ContentDisposition!.GetParameter("filename"), Is.EqualTo("f"));
        Assert.That(root.ContentLanguage, Is.EqualTo(new[] { "en", "de" }));
        Assert.That(root.ContentLocation, Is.EqualTo("http://x/"));
    }

    [Test]
    public void ThousandsOfPartsAreCapped()
    {
        var sb = new StringBuilder("Content-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (int i = 0; i < MimeScanner.MaxParts + 50; i++)
        {
            sb.Append("--p\r\n\r\nx\r\n");
        }

        sb.Append("--p--\r\n");
        var root = Scan(sb.ToString());
        Assert.That(root.Children.Count, Is.LessThan(MimeScanner.MaxParts));
        Assert.That(root.EndOffset, Is.EqualTo(sb.Length));
    }
}
