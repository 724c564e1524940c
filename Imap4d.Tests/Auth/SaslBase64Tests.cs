using System.Text;
using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class SaslBase64Tests
{
    [TestCase("", "")]
    [TestCase("=", "")]
    [TestCase("YQ==", "a")]
    [TestCase("YWI=", "ab")]
    [TestCase("YWJj", "abc")]
    [TestCase("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "\0tim\0tanstaaftanstaaf")]
    [TestCase("VXNlcm5hbWU6", "Username:")]
    public void DecodesCanonicalBase64(string text, string expected)
    {
        Assert.That(SaslBase64.TryDecode(text, out var data), Is.True);
        Assert.That(Encoding.UTF8.GetString(data), Is.EqualTo(expected));
    }

    [Test]
    public void DecodesTheWholeAlphabet()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.That(SaslBase64.TryDecode(Convert.ToBase64String(all), out var data), Is.True);
        Assert.That(data, Is.EqualTo(all));
    }

    [TestCase("*")]
    [TestCase("==")]
    [TestCase("===")]
    [TestCase("====")]
    [TestCase("Y")]
    [TestCase("YQ")]
    [TestCase("YQ=")]
    [TestCase("YQ=a")]
    [TestCase("Y===")]
    [TestCase("YQ==YQ==")]
    [TestCase("YW Jj")]
    [TestCase(" YWJj")]
    [TestCase("YWJj\r\n")]
    [TestCase("YWJj\n")]
    [TestCase("YW-j")]
    [TestCase("YW_j")]
    [TestCase("YR==")]
    [TestCase("YWJ=")]
    public void RejectsAnythingNotStrictlyCanonical(string text)
    {
        Assert.That(SaslBase64.TryDecode(text, out var data), Is.False);
        Assert.That(data, Is.Empty);
    }

    [Test]
    public void NeverThrowsOnRandomText()
    {
        var random = new Random(4959);
        const string alphabet = "ABCXYZabcxyz0189+/=-_ \r\n*\0é";
        for (int i = 0; i < 20000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 13)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (SaslBase64.TryDecode(text, out var data) && text.Length > 1)
            {
                Assert.That(Convert.ToBase64String(data), Is.EqualTo(text));
            }
        }
    }
}
