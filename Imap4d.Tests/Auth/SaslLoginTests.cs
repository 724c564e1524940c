using System.Text;
using Imap4d.Auth;

namespace Imap4d.Tests.Auth;

[TestFixture]
public class SaslLoginTests
{
    [Test]
    public void PromptsAreTheConventionalOnes()
    {
        Assert.That(SaslLogin.UsernamePromptText, Is.EqualTo("Username:"));
        Assert.That(SaslLogin.PasswordPromptText, Is.EqualTo("Password:"));
    }

    [Test]
    public void DecodesAnswers()
    {
        Assert.That(SaslLogin.TryDecodeUsername(Encoding.UTF8.GetBytes("jürgen"), out var user), Is.True);
        Assert.That(user, Is.EqualTo("jürgen"));
        Assert.That(SaslLogin.TryDecodePassword(Encoding.UTF8.GetBytes("s3 cret"), out var password), Is.True);
        Assert.That(password, Is.EqualTo("s3 cret"));
    }

    [Test]
    public void EmptyPasswordIsPassedOnButEmptyUserIsNot()
    {
        Assert.That(SaslLogin.TryDecodeUsername([], out _), Is.False);
        Assert.That(SaslLogin.TryDecodePassword([], out var password), Is.True);
        Assert.That(password, Is.Empty);
    }

    [Test]
    public void RejectsNulInvalidUtf8AndOverlongAnswers()
    {
        Assert.That(SaslLogin.TryDecodeUsername("a\0b"u8, out _), Is.False);
        Assert.That(SaslLogin.TryDecodePassword("a\0b"u8, out _), Is.False);
        Assert.That(SaslLogin.TryDecodeUsername([0xFF, 0xFE], out _), Is.False);
        Assert.That(SaslLogin.TryDecodePassword(Encoding.UTF8.GetBytes(new string('x', 256)), out _), Is.False);
    }
}
