using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

[TestFixture]
public class TransferDecoderTests
{
    private static string Qp(string s) => Encoding.Latin1.GetString(TransferDecoder.DecodeBytes(Encoding.Latin1.GetBytes(s), "quoted-printable"));

    [TestCase("Caf=C3=A9", "Caf\u00c3\u00a9")]
    [TestCase("soft=\r\nbreak", "softbreak")]
    [TestCase("soft=\nbreak", "softbreak")]
    [TestCase("a=3Db", "a=b")]
    [TestCase("a=3db", "a=b")]
    [TestCase("bad=ZZ", "bad=ZZ")]
    [TestCase("bad=4", "bad=4")]
    [TestCase("end=", "end=")]
    [TestCase("==41", "=A")]
    [TestCase("line\r\nnext", "line\r\nnext")]
    [TestCase("trailing  \r\nblanks\t\ngo  ", "trailing\r\nblanks\ngo")]
    [TestCase("inner  blanks stay", "inner  blanks stay")]
    [TestCase("before\t=\r\nsoft", "before\tsoft")]
    [TestCase("padded= \t\r\nsoft", "paddedsoft")]
    [TestCase("padded=  \nsoft", "paddedsoft")]
    [TestCase("not= soft", "not= soft")]
    [TestCase("a =\n=62", "a b")]
    [TestCase("bare\rcr", "bare\rcr")]
    [TestCase("=\r", "=\r")]
    public void QuotedPrintable(string input, string expected) => Assert.That(Qp(input), Is.EqualTo(expected));

    [Test]
    public void Base64IsLenient()
    {
        byte[] data = Encoding.ASCII.GetBytes("SGVs\r\nbG8g\0d29y!bGQ=\r\nISE=");
        Assert.That(Encoding.ASCII.GetString(TransferDecoder.DecodeBytes(data, "BASE64")), Is.EqualTo("Hello world!!"));
    }

    [Test]
    public void OtherEncodingsPassThrough()
    {
        byte[] data = [1, 2, 0, 0xff];
        Assert.That(TransferDecoder.DecodeBytes(data, "8bit"), Is.EqualTo(data));
        Assert.That(TransferDecoder.DecodeBytes(data, null), Is.EqualTo(data));
    }

    [Test]
    public void RandomRoundTripThroughTinyReads()
    {
        var rnd = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            byte[] data = new byte[rnd.Next(5000)];
            rnd.NextBytes(data);
            byte[] b64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks));
            using var s = TransferDecoder.Open(new TrickleStream(b64, rnd.Next(1, 9)), "base64");
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            Assert.That(ms.ToArray(), Is.EqualTo(data));

            byte[] qp = EncodeQp(data);
            using var q = TransferDecoder.Open(new TrickleStream(qp, rnd.Next(1, 9)), "quoted-printable");
            using var mq = new MemoryStream();
            q.CopyTo(mq);
            Assert.That(mq.ToArray(), Is.EqualTo(data));
        }
    }

    [Test]
    public void QuotedPrintableDecodesAlikeWhateverTheReadSizes()
    {
        // Blanks, "=", CR and LF in every order: what a decoder holds back between reads must not matter.
        var rnd = new Random(11);
        const string alphabet = "  \t\t==\r\n\nA4fz";
        for (int i = 0; i < 500; i++)
        {
            byte[] input = Enumerable.Range(0, rnd.Next(400)).Select(_ => (byte)alphabet[rnd.Next(alphabet.Length)]).ToArray();
            if (rnd.Next(4) == 0)
            {
                input = [.. input, .. Enumerable.Repeat((byte)' ', rnd.Next(60, 200)), (byte)'x'];
            }

            byte[] whole = TransferDecoder.DecodeBytes(input, "quoted-printable");
            using var trickled = TransferDecoder.Open(new TrickleStream(input, rnd.Next(1, 5)), "quoted-printable");
            using var output = new MemoryStream();
            trickled.CopyTo(output);
            Assert.That(output.ToArray(), Is.EqualTo(whole), Encoding.ASCII.GetString(input));
            Assert.That(whole.Length, Is.LessThanOrEqualTo(input.Length));
        }
    }

    private static byte[] EncodeQp(byte[] data)
    {
        var sb = new StringBuilder();
        int col = 0;
        foreach (byte b in data)
        {
            string piece = b is >= 33 and <= 126 and not (byte)'=' ? ((char)b).ToString() : $"={b:X2}";
            if (col + piece.Length > 75)
            {
                sb.Append("=\r\n");
                col = 0;
            }

            sb.Append(piece);
            col += piece.Length;
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
