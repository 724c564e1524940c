using System.Text;
using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class SaslPlainTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void DecodesAllThreeFields()
    {
        Assert.That(SaslPlain.TryDecode(Bytes("admin\0tim\0tanstaaftanstaaf"), out var authzid, out var authcid, out var password), Is.True);
        Assert.That((authzid, authcid, password), Is.EqualTo(("admin", "tim", "tanstaaftanstaaf")));
    }

    [Test]
    public void AuthzidMayBeEmpty()
    {
        Assert.That(SaslPlain.TryDecode(Bytes("\0tim\0secret"), out var authzid, out var authcid, out var password), Is.True);
        Assert.That((authzid, authcid, password), Is.EqualTo(("", "tim", "secret")));
    }

    [Test]
    public void DecodesUtf8()
    {
        Assert.That(SaslPlain.TryDecode(Bytes("\0jürgen\0pässwörd ✓"), out _, out var authcid, out var password), Is.True);
        Assert.That(authcid, Is.EqualTo("jürgen"));
        Assert.That(password, Is.EqualTo("pässwörd ✓"));
    }

    [TestCase("")]
    [TestCase("tim")]
    [TestCase("\0tim")]
    [TestCase("tim\0secret")]
    [TestCase("\0\0secret")]
    [TestCase("\0tim\0")]
    [TestCase("\0tim\0sec\0ret")]
    [TestCase("\0tim\0secret\0")]
    [TestCase("\0\0\0")]
    [TestCase("a\0b\0c\0d")]
    public void RejectsMalformedMessages(string message)
    {
        Assert.That(SaslPlain.TryDecode(Bytes(message), out var authzid, out var authcid, out var password), Is.False);
        Assert.That((authzid, authcid, password), Is.EqualTo(("", "", "")));
    }

    [Test]
    public void RejectsInvalidUtf8InAnyField()
    {
        byte[] bad = [0xC3, 0x28];
        Assert.That(SaslPlain.TryDecode([.. bad, 0, .. Bytes("tim"), 0, .. Bytes("pw")], out _, out _, out _), Is.False);
        Assert.That(SaslPlain.TryDecode([0, .. bad, 0, .. Bytes("pw")], out _, out _, out _), Is.False);
        Assert.That(SaslPlain.TryDecode([0, .. Bytes("tim"), 0, 0xFF], out _, out _, out _), Is.False);
        // An overlong encoding of '/' and a lone surrogate are invalid too.
        Assert.That(SaslPlain.TryDecode([0, .. Bytes("tim"), 0, 0xC0, 0xAF], out _, out _, out _), Is.False);
        Assert.That(SaslPlain.TryDecode([0, .. Bytes("tim"), 0, 0xED, 0xA0, 0x80], out _, out _, out _), Is.False);
    }

    [Test]
    public void EnforcesTheFieldLengthLimitInCharacters()
    {
        string longest = new('ü', SaslPlain.MaxFieldLength);
        Assert.That(SaslPlain.TryDecode(Bytes($"{longest}\0{longest}\0{longest}"), out _, out var authcid, out _), Is.True);
        Assert.That(authcid, Has.Length.EqualTo(255));
        string tooLong = longest + "a";
        Assert.That(SaslPlain.TryDecode(Bytes($"{tooLong}\0tim\0pw"), out _, out _, out _), Is.False);
        Assert.That(SaslPlain.TryDecode(Bytes($"\0{tooLong}\0pw"), out _, out _, out _), Is.False);
        Assert.That(SaslPlain.TryDecode(Bytes($"\0tim\0{tooLong}"), out _, out _, out _), Is.False);
    }

    [Test]
    public void NeverThrowsOnRandomBytes()
    {
        var random = new Random(4616);
        int accepted = 0;
        for (int i = 0; i < 20000; i++)
        {
            byte[] message = new byte[random.Next(0, 80)];
            random.NextBytes(message);
            // Bias towards the interesting shapes: put a few NULs in most messages.
            for (int n = random.Next(0, 4); n > 0 && message.Length > 0; n--)
            {
                message[random.Next(message.Length)] = 0;
            }
            if (SaslPlain.TryDecode(message, out _, out var authcid, out var password))
            {
                accepted++;
                Assert.That(authcid, Is.Not.Empty);
                Assert.That(password, Is.Not.Empty);
            }
        }
        Assert.Pass($"{accepted} random messages were well-formed");
    }
}
