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
