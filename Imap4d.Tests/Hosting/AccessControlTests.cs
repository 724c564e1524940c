using System.Net;
using Imap4d.Config;
using Imap4d.Hosting;
using Imap4d.Tests.Config;
using NLog;
using NLog.Targets;

namespace Imap4d.Tests.Hosting;

public class AccessControlTests
{
    private MemoryTarget _memory = null!;
    private LogFactory _factory = null!;

    [SetUp]
    public void CaptureLog()
    {
        _memory = new MemoryTarget { Layout = "${message}" };
        _factory = new LogFactory();
        var config = new NLog.Config.LoggingConfiguration(_factory);
        config.AddRuleForAllLevels(_memory);
        _factory.Configuration = config;
    }

    [TearDown]
    public void Dispose() => _factory.Dispose();

    private AccessControl Control => new(_factory.GetLogger("test"), TimeSpan.FromSeconds(10));

    private static AccessControlList Acl(string text) => ConfigText.Bind($"acl {{ {text} }}").Gate.Acl;

    private AclDecision Decide(string acl, string address, int port = 4000) =>
        Control.EvaluateAsync(Acl(acl), new IPEndPoint(IPAddress.Parse(address), port), CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The example of the mailutils manual ("mailutils acl"), with its documented answers.</summary>
    private const string ManualExample = """
        deny from 10.10.10.1;
        deny from 10.10.1.0/24;
        log from any "Connect from ${address}";
        allow from 10.0.0.0/8;
        allow from 192.168.1.0/24;
        deny from any;
        """;

    [TestCase("127.0.0.1", AclDecision.Deny)]
    [TestCase("10.10.10.1", AclDecision.Deny)]
    [TestCase("10.10.1.3", AclDecision.Deny)]
    [TestCase("10.5.3.1", AclDecision.Allow)]
    [TestCase("192.168.1.0", AclDecision.Allow)]
    [TestCase("192.168.2.0", AclDecision.Deny)]
    [TestCase("::ffff:10.5.3.1", AclDecision.Allow)]
    public void FirstMatchDecidesAsInTheMailutilsManual(string address, AclDecision expected) =>
        Assert.That(Decide(ManualExample, address), Is.EqualTo(expected));

    [Test]
    public void LogExpandsVariablesAndGoesOn()
    {
        Assert.That(Decide(ManualExample, "10.5.3.1"), Is.EqualTo(AclDecision.Allow));
        Assert.That(Decide(ManualExample, "10.10.10.1"), Is.EqualTo(AclDecision.Deny));
        Assert.That(_memory.Logs, Is.EqualTo(new[] { "Connect from 10.5.3.1" }), "the denied address never reaches the log control");

        Assert.That(Decide("log any \"${aclno} ${family} ${address}:${port}\"; log from ::1;", "::1", 143), Is.EqualTo(AclDecision.Undecided));
        Assert.That(_memory.Logs.Skip(1), Is.EqualTo(new[] { "1 AF_INET6 ::1:143", "::1" }));
    }

    [TestCase("2001:db8::1", AclDecision.Allow)]
    [TestCase("2001:db9::1", AclDecision.Deny)]
    [TestCase("192.0.2.1", AclDecision.Undecided)]
    public void Ipv6Networks(string address, AclDecision expected) =>
        Assert.That(Decide("allow from 2001:db8::/32; deny from ::/0;", address), Is.EqualTo(expected));

    [Test]
    public void EmptyListIsUndecided() => Assert.That(Decide("", "192.0.2.1"), Is.EqualTo(AclDecision.Undecided));

    [TestCase(0, AclDecision.Allow)]
    [TestCase(1, AclDecision.Deny)]
    [TestCase(2, AclDecision.Undecided)]
    public void IfExecDecidesByExitStatus(int status, AclDecision expected) =>
        Assert.That(Decide($"ifexec any \"/bin/sh -c 'exit {status}'\";", "192.0.2.1"), Is.EqualTo(expected));

    [Test]
    public void ExecRunsWithTheAddressAndGoesOn()
    {
        string file = Path.Combine(Path.GetTempPath(), $"imap4d-acl-{Guid.NewGuid():N}");
        try
        {
            Assert.That(Decide($"exec any \"/bin/sh -c 'echo $0 > {file}' ${{address}}\"; deny any;", "192.0.2.44"), Is.EqualTo(AclDecision.Deny));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!(File.Exists(file) && File.ReadAllText(file).Length > 0) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Assert.That(File.ReadAllText(file), Is.EqualTo("192.0.2.44\n"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ServerListIsCheckedBeforeTheGlobalOneAndEitherRefuses()
    {
        var settings = ConfigText.Bind("""
            acl { deny from 192.0.2.0/24; allow any; }
            server 127.0.0.1:143 { acl { allow from 198.51.100.1; deny from 198.51.100.0/24; } }
            """).ForLocalEndPoint(new IPEndPoint(IPAddress.Loopback, 143));
        bool Allowed(string address) =>
            Control.IsAllowedAsync(settings.Gate, new IPEndPoint(IPAddress.Parse(address), 1), CancellationToken.None).GetAwaiter().GetResult();
        Assert.Multiple(() =>
        {
            Assert.That(Allowed("198.51.100.1"), Is.True);
            Assert.That(Allowed("198.51.100.2"), Is.False, "the server's list denies");
            Assert.That(Allowed("192.0.2.1"), Is.False, "the server's list is undecided, the global one denies");
            Assert.That(Allowed("203.0.113.1"), Is.True);
        });
    }
}
