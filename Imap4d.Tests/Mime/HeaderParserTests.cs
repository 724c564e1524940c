using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class HeaderParserTests
{
    private static HeaderBlock Parse(string s) => HeaderParser.Parse(Encoding.Latin1.GetBytes(s));

    [Test]
    public void FieldsKeepRawBytesAndUnfold()
    {
        var h = Parse("Subject: a\r\n\tb\r\nX-Empty:\r\nNo colon here\r\nTo : x@y\r\n\r\nBody: not a header\r\n");
        Assert.That(h.Fields, Has.Count.EqualTo(4));
        Assert.That(h.Get("subject")!.Value, Is.EqualTo("a\tb"));
        Assert.That(Encoding.Latin1.GetString(h.Get("Subject")!.Raw), Is.EqualTo("Subject: a\r\n\tb\r\n"));
        Assert.That(h.GetValue("X-Empty"), Is.EqualTo(""));
        Assert.That(h.Fields[2].HasColon, Is.False);
        Assert.That(h.Fields[2].Name, Is.EqualTo("No colon here"));
        Assert.That(h.GetValue("To"), Is.EqualTo("x@y"));
        Assert.That(h.Get("Body"), Is.Null);
    }

    [Test]
    public void BareLfAndNulAndEightBit()
    {
        var h = Parse("A: x\0y\xe9\n b\nB: c");
        Assert.That(h.GetValue("A"), Is.EqualTo("x\0y\xe9 b"));
        Assert.That(h.GetValue("B"), Is.EqualTo("c"));
    }

    [Test]
    public void ContentTypeWithQuotedParametersAndComments()
    {
        var ct = HeaderParser.ParseContentType("Text/Plain (comment) ; charset=\"us\\\"ascii\" (c); Format = Flowed;;x=;=y")!;
        Assert.That(ct.Type, Is.EqualTo("Text"));
        Assert.That(ct.Subtype, Is.EqualTo("Plain"));
        Assert.That(ct.Parameters.Select(p => p.Name + "=" + p.Value), Is.EqualTo(new[] { "charset=us\"ascii", "Format=Flowed", "x=" }));
        Assert.That(ct.GetParameter("FORMAT"), Is.EqualTo("Flowed"));
    }

    [TestCase("")]
    [TestCase("text")]
    [TestCase("text/")]
    [TestCase("/plain")]
    public void InvalidContentTypeIsNull(string value) => Assert.That(HeaderParser.ParseContentType(value), Is.Null);

    [Test]
    public void Rfc2231ContinuationsAreJoinedAndDecodable()
    {
        var ct = HeaderParser.ParseContentType("application/x; name*1=\"file.txt\"; name*0*=utf-8''na%C3%AFve%20; plain=1; title*=us-ascii'en'a%20b")!;
        Assert.That(ct.Parameters.Select(p => p.Name + "=" + p.Value),
            Is.EqualTo(new[] { "plain=1", "name*=utf-8''na%C3%AFve%20file.txt", "title*=us-ascii'en'a%20b" }));
        Assert.That(HeaderParser.DecodeParameterValue(ct.Parameters[1]), Is.EqualTo("naïve file.txt"));
        Assert.That(HeaderParser.DecodeParameterValue(ct.Parameters[2]), Is.EqualTo("a b"));
        Assert.That(HeaderParser.DecodeParameterValue(new MimeParameter("f*", "iso-8859-1''caf%E9")), Is.EqualTo("café"));
        Assert.That(HeaderParser.DecodeParameterValue(new MimeParameter("f*", "broken%")), Is.EqualTo("broken%"));
    }

    [Test]
    public void DispositionAndLanguage()
    {
        var d = HeaderParser.ParseDisposition(" attachment (c) ; filename=\"a b.txt\"")!;
        Assert.That(d.Type, Is.EqualTo("attachment"));
        Assert.That(d.GetParameter("filename"), Is.EqualTo("a b.txt"));
        Assert.That(HeaderParser.ParseDisposition("  "), Is.Null);
        Assert.That(HeaderParser.ParseLanguage("en, (x) de ,, fr-CA"), Is.EqualTo(new[] { "en", "de", "fr-CA" }));
    }

    [Test]
    public void ManyParametersAreLinear()
    {
        var sb = new StringBuilder("application/x");
        for (int i = 0; i < 20000; i++)
        {
            sb.Append("; p").Append(i).Append("*0*=x");
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ct = HeaderParser.ParseContentType(sb.ToString())!;
        Assert.That(ct.Parameters, Has.Count.EqualTo(20000));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }
}
