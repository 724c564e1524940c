using System.Net.Sockets;
using System.Text;
using Imap4d.Logging;
using NLog;

namespace Imap4d.Tests.Logging;

public class SyslogTargetTests
{
    private static readonly DateTime FixedTime = new(2026, 11, 2, 3, 4, 5, DateTimeKind.Local);

    private string socketPath = "";
    private readonly List<Socket> servers = [];

    [SetUp]
    public void CreatePath() => socketPath = Path.Combine(Path.GetTempPath(), $"imap4d-log-{Guid.NewGuid():N}.sock");

    [TearDown]
    public void RemoveSocket()
    {
        servers.ForEach(server => server.Dispose());
        servers.Clear();
        File.Delete(socketPath);
    }

    private Socket Listen()
    {
        File.Delete(socketPath);
        var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 5000 };
        server.Bind(new UnixDomainSocketEndPoint(socketPath));
        servers.Add(server);
        return server;
    }

    private static string Receive(Socket server)
    {
        var buffer = new byte[65536];
        int length = server.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static bool HasDatagram(Socket server) => server.Poll(200_000, SelectMode.SelectRead);

    private LogFactory Factory(SyslogFacility facility = SyslogFacility.Mail, SyslogSeverity minimum = SyslogSeverity.Debug)
    {
        var factory = new LogFactory { ThrowExceptions = true };
        factory.Configuration = LogSetup.BuildConfiguration(new LogOptions
        {
            Destination = LogDestination.Syslog,
            Facility = facility,
            Tag = "imap4d",
            MinimumSeverity = minimum,
            SyslogSocketPath = socketPath,
        });
        return factory;
    }

    private static void LogAt(Logger logger, LogLevel level, string message) =>
        logger.Log(new LogEventInfo(level, logger.Name, message) { TimeStamp = FixedTime });

    [Test]
    public void SendsOneRfc3164DatagramPerEvent()
    {
        Socket server = Listen();
        using LogFactory factory = Factory();
        LogAt(factory.GetLogger("session"), LogLevel.Warn, "hello {world}");

        Assert.That(Receive(server), Is.EqualTo($"<20>Nov  2 03:04:05 imap4d[{Environment.ProcessId}]: hello {{world}}"));
    }

    [TestCase(SyslogFacility.Mail, "Info", "<22>")]
    [TestCase(SyslogFacility.Local0, "Error", "<131>")]
    [TestCase(SyslogFacility.Local7, "Debug", "<191>")]
    [TestCase(SyslogFacility.Daemon, "Fatal", "<26>")]
    [TestCase(SyslogFacility.Auth, "Trace", "<39>")]
    [TestCase(SyslogFacility.User, "Warn", "<12>")]
    public void PriorityCombinesFacilityAndSeverity(SyslogFacility facility, string level, string priority)
    {
        Socket server = Listen();
        using LogFactory factory = Factory(facility, SyslogSeverity.Debug);
        LogAt(factory.GetLogger("x"), LogLevel.FromString(level), "m");
        Assert.That(Receive(server), Does.StartWith(priority + "Nov  2 "));
    }

    [Test]
    public void ExactSyslogSeveritiesTravelWithTheEvent()
    {
        Socket server = Listen();
        using LogFactory factory = Factory(minimum: SyslogSeverity.Notice);
        Logger logger = factory.GetLogger("x");
        logger.Info("dropped: info is below notice");
        logger.Notice("kept");
        logger.Emergency("panic");

        Assert.That(Receive(server), Does.StartWith("<21>").And.EndWith(": kept"));
        Assert.That(Receive(server), Does.StartWith("<16>").And.EndWith(": panic"));
        Assert.That(HasDatagram(server), Is.False);
    }

    [Test]
    public void ReconnectsWhenTheSyslogSocketIsRecreated()
    {
        Socket first = Listen();
        using LogFactory factory = Factory();
        Logger logger = factory.GetLogger("x");
        LogAt(logger, LogLevel.Info, "one");
        Assert.That(Receive(first), Does.EndWith(": one"));

        first.Dispose();
        Socket second = Listen();
        LogAt(logger, LogLevel.Info, "two");
        Assert.That(Receive(second), Does.EndWith(": two"));
    }

    [Test]
    public void DropsSilentlyWhenThereIsNoSyslogSocket()
    {
        using LogFactory factory = Factory();
        Assert.DoesNotThrow(() => LogAt(factory.GetLogger("x"), LogLevel.Error, "nobody listens"));

        Socket late = Listen();
        LogAt(factory.GetLogger("x"), LogLevel.Error, "now somebody does");
        Assert.That(Receive(late), Does.EndWith(": now somebody does"));
    }

    [Test]
    public void FormatPadsSingleDigitDaysWithASpace()
    {
        Assert.That(
            Rfc3164Format.Format(SyslogFacility.Mail, SyslogSeverity.Info, new DateTime(2026, 1, 9, 23, 59, 1), "imap4d", 42, "x\n"),
            Is.EqualTo("<22>Jan  9 23:59:01 imap4d[42]: x"));
        Assert.That(
            Rfc3164Format.Format(SyslogFacility.Local1, SyslogSeverity.Error, new DateTime(2026, 12, 19, 0, 0, 0), "t", 1, "y"),
            Is.EqualTo("<139>Dec 19 00:00:00 t[1]: y"));
    }
}
