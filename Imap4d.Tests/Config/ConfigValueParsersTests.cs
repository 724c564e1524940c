using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class ConfigValueParsersTests
{
    [TestCase("yes", true)]
    [TestCase("on", true)]
    [TestCase("t", true)]
    [TestCase("true", true)]
    [TestCase("1", true)]
    [TestCase("no", false)]
    [TestCase("off", false)]
    [TestCase("nil", false)]
    [TestCase("false", false)]
    [TestCase("0", false)]
    [TestCase("YES", null)]
    [TestCase("2", null)]
    public void Boolean(string text, bool? expected) => Assert.That(ConfigValueParsers.ParseBoolean(text), Is.EqualTo(expected));

    [TestCase("0", 0)]
    [TestCase("1800", 1800)]
    [TestCase("90 seconds", 90)]
    [TestCase("1 hour 30 minutes", 5400)]
    [TestCase("2 hours", 7200)]
    [TestCase("1 h 1 m 1 s", 3661)]
    [TestCase("hour", 3600)]
    [TestCase("1 day", 86400)]
    [TestCase("1 week", 604800)]
    [TestCase("1 mo", 2678400)]
    [TestCase("30 MINUTES", 1800)]
    public void TimeInterval(string text, int seconds) =>
        Assert.That(ConfigValueParsers.ParseTimeInterval(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("10m")]
    [TestCase("1 fortnight")]
    [TestCase("1 30 minutes")]
    [TestCase("")]
    [TestCase("-5")]
    public void BadTimeInterval(string text) => Assert.That(ConfigValueParsers.ParseTimeInterval(text), Is.Null);

    [TestCase("0600", 0x180)]
    [TestCase("755", 0x1ED)]
    [TestCase("0", 0)]
    [TestCase("0800", null)]
    [TestCase("01777", null)]
    [TestCase("rw", null)]
    public void OctalMode(string text, int? expected) => Assert.That(ConfigValueParsers.ParseOctalMode(text), Is.EqualTo(expected));

    [TestCase("g+rw", 0x1B0)]      // 0660
    [TestCase("g+rw,o+r", 0x1B4)]  // 0664
    [TestCase("o=w", 0x182)]       // 0602
    [TestCase("0640", 0x1A0)]
    [TestCase("u+rw", null)]
    [TestCase("g-r", null)]
    [TestCase("g+", null)]
    public void MailboxMode(string text, int? expected) => Assert.That(ConfigValueParsers.ParseMailboxMode(text), Is.EqualTo(expected));

    [TestCase("143", 143)]
    [TestCase("imap", 143)]
    [TestCase("imaps", 993)]
    [TestCase("0", null)]
    [TestCase("65536", null)]
    [TestCase("no-such-service-here", null)]
    public void Port(string text, int? expected) => Assert.That(ConfigValueParsers.ParsePort(text), Is.EqualTo(expected));

    [TestCase("1.2.3.4:143", "1.2.3.4", 143)]
    [TestCase("0.0.0.0", "0.0.0.0", null)]
    [TestCase("localhost:imaps", "localhost", 993)]
    [TestCase("[::1]:1143", "::1", 1143)]
    [TestCase("[::]", "::", null)]
    [TestCase("::1", "::1", null)]
    public void HostPort(string text, string address, int? port)
    {
        Assert.That(ConfigValueParsers.TryParseHostPort(text, out var parsedAddress, out var parsedPort), Is.True);
        Assert.That((parsedAddress, parsedPort), Is.EqualTo((address, port)));
    }

    [TestCase(":143")]
    [TestCase("[::1")]
    [TestCase("host:")]
    public void BadHostPort(string text) => Assert.That(ConfigValueParsers.TryParseHostPort(text, out _, out _), Is.False);
}
