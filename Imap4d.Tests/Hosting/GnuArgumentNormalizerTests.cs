using Imap4d.Hosting;

namespace Imap4d.Tests.Hosting;

public class GnuArgumentNormalizerTests
{
    [TestCase(new string[0], new string[0])]
    [TestCase(new[] { "-d5" }, new[] { "--daemon", "--max-children=5" })]
    [TestCase(new[] { "-d" }, new[] { "--daemon" })]
    [TestCase(new[] { "--fore", "-i" }, new[] { "--inetd", "--foreground" })]
    [TestCase(new[] { "--set", "a=b", "--set=c=d" }, new[] { "--set=a=b", "--set=c=d" })]
    [TestCase(new[] { "--config-file", "f" }, new[] { "--config-file=f" })]
    [TestCase(new[] { "--no-config" }, new[] { "--no-site-config" })]
    [TestCase(new[] { "--test", "--no-test" }, new string[0])]
    [TestCase(new[] { "-i", "--version", "--bogus" }, new[] { "--version" })]
    public void RewritesToCanonicalForm(string[] args, string[] canonical)
    {
        NormalizedArguments normalized = GnuArgumentNormalizer.Normalize(args);
        Assert.That(normalized.Error, Is.Null);
        Assert.That(normalized.Arguments, Is.EqualTo(canonical));
    }
}
