using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class ModifiedUtf7Tests
{
    [TestCase("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")] // RFC 3501 §5.1.3
    [TestCase("&", "&-")]
    [TestCase("a&b&&", "a&-b&-&-")]
    [TestCase("", "")]
    [TestCase("INBOX", "INBOX")]
    [TestCase("a-b ~!", "a-b ~!")]
    [TestCase("é", "&AOk-")]
    [TestCase("é-", "&AOk--")]
    [TestCase("\U0001F600", "&2D3eAA-")]
    [TestCase("\t", "&AAk-")]
    [TestCase("\u007f", "&AH8-")]
    [TestCase("Entwürfe", "Entw&APw-rfe")]
    [TestCase("ä&", "&AOQ-&-")]
    public void EncodesAndDecodes(string text, string encoded)
    {
        Assert.That(ModifiedUtf7.Encode(text), Is.EqualTo(encoded));
        Assert.That(ModifiedUtf7.TryDecode(encoded, out var decoded), Is.True);
        Assert.That(decoded, Is.EqualTo(text));
    }

    [TestCase("&Jjo", Description = "unterminated shift")]
    [TestCase("&", Description = "lone ampersand")]
    [TestCase("a&", Description = "ampersand at the end")]
    [TestCase("&-&Jjo", Description = "a good &- then an unterminated one")]
    [TestCase("&-&", Description = "a good &- then a lone &")]
    [TestCase("&AGE-", Description = "shifted printable ASCII (a)")]
    [TestCase("&ACY-", Description = "shifted & itself")]
    [TestCase("&AOkAYQ-", Description = "é then shifted ASCII")]
    [TestCase("&Jjp-", Description = "non-zero padding bits")]
    [TestCase("&AOl-", Description = "non-zero padding bits")]
    [TestCase("&U,BTF-", Description = "a whole unused base64 character")]
    [TestCase("&A-", Description = "too short to hold a character")]
    [TestCase("&AO=-", Description = "= is not in the alphabet")]
    [TestCase("&AO/-", Description = "/ is not in the alphabet (modified base64 uses ,)")]
    [TestCase("&AO k-", Description = "space inside the shift")]
    [TestCase("&2D0-", Description = "lone high surrogate")]
    [TestCase("&3gA-", Description = "lone low surrogate")]
    [TestCase("&2D0-&3gA-", Description = "surrogate pair split over two shifts")]
    [TestCase("&AOQ-&AOQ-", Description = "two shifted runs in a row: not the minimal encoding")]
    [TestCase("caf\u00e9", Description = "raw 8-bit")]
    [TestCase("a\tb", Description = "raw control")]
    [TestCase("a\u007fb", Description = "raw DEL")]
    public void RejectsInvalidEncodings(string encoded)
    {
        Assert.That(ModifiedUtf7.TryDecode(encoded, out _), Is.False);
    }

    [Test]
    public void EncodingALoneSurrogateDoesNotDecode()
    {
        Assert.That(ModifiedUtf7.TryDecode(ModifiedUtf7.Encode("a\ud83db"), out _), Is.False);
    }

    [Test]
    public void RandomStringsRoundTrip()
    {
        var random = TestContext.CurrentContext.Random;
        for (int i = 0; i < 5000; i++)
        {
            var sb = new StringBuilder();
            int n = random.Next(0, 20);
            for (int j = 0; j < n; j++)
            {
                int cp = random.Next(6) switch
                {
                    0 => random.Next(0x20, 0x7f),
                    1 => '&',
                    2 => random.Next(0, 0x20),
                    3 => random.Next(0x80, 0xd800),
                    4 => random.Next(0xe000, 0x10000),
                    _ => random.Next(0x10000, 0x110000),
                };
                sb.Append(char.ConvertFromUtf32(cp));
            }

            string text = sb.ToString();
            string encoded = ModifiedUtf7.Encode(text);
            Assert.That(encoded.All(c => c >= 0x20 && c <= 0x7e), Is.True, encoded);
            Assert.That(ModifiedUtf7.TryDecode(encoded, out var decoded), Is.True, encoded);
            Assert.That(decoded, Is.EqualTo(text), encoded);
        }
    }
}
