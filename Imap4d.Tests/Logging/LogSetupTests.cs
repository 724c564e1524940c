using Imap4d.Config;
using Imap4d.Logging;
using NLog;
using NLog.Config;
using NLog.Targets;

namespace Imap4d.Tests.Logging;

public class LogSetupTests
{
    [TestCase(LogDestination.Syslog, typeof(SyslogTarget))]
    [TestCase(LogDestination.Stderr, typeof(StderrTarget))]
    public void BuildsExactlyOneTargetAndNoConsole(LogDestination destination, Type targetType)
    {
        LoggingConfiguration configuration = LogSetup.BuildConfiguration(new LogOptions { Destination = destination });
        Assert.That(configuration.AllTargets, Has.Count.EqualTo(1));
        Assert.That(configuration.AllTargets[0], Is.TypeOf(targetType));
        Assert.That(configuration.AllTargets, Has.None.InstanceOf<ConsoleTarget>());
    }

    [Test]
    public void RuleLetsThroughTheNLogLevelOfTheMinimumSeverity()
    {
        LoggingConfiguration configuration = LogSetup.BuildConfiguration(new LogOptions { MinimumSeverity = SyslogSeverity.Notice });
        LoggingRule rule = configuration.LoggingRules.Single();
        Assert.That(rule.IsLoggingEnabledForLevel(LogLevel.Info), Is.True);
        Assert.That(rule.IsLoggingEnabledForLevel(LogLevel.Debug), Is.False);
    }

    /// <summary>
    /// At exit the targets are closed, not flushed: ours write each event before Write returns,
    /// and NLog's flush goes through a thread-pool work item, which starts threads in a process
    /// about to end (every `--deliver` is one).
    /// </summary>
    [Test]
    public void ShutdownClosesTheTargetsWithoutFlushingThem()
    {
        var target = new RecordingTarget();
        var configuration = new LoggingConfiguration();
        configuration.AddRule(LogLevel.Info, LogLevel.Fatal, target);
        var factory = new LogFactory { Configuration = configuration };
        factory.GetLogger("test").Info("delivered");

        LogSetup.Shutdown(factory);

        Assert.That(target.Written, Is.EqualTo(1));
        Assert.That(target.Closed, Is.True, "closed");
        Assert.That(target.Flushed, Is.False, "flushed");
    }

    private sealed class RecordingTarget : Target
    {
        public int Written { get; private set; }

        public bool Flushed { get; private set; }

        public bool Closed { get; private set; }

        protected override void Write(LogEventInfo logEvent) => Written++;

        protected override void FlushAsync(NLog.Common.AsyncContinuation asyncContinuation)
        {
            Flushed = true;
            asyncContinuation(null);
        }

        protected override void CloseTarget()
        {
            Closed = true;
            base.CloseTarget();
        }
    }

    [Test]
    public void ConfigureFromNamesRejectsBadNames()
    {
        Assert.Throws<ArgumentException>(() => LogSetup.Configure(LogDestination.Stderr, "nosuch", "imap4d", "info", false));
        Assert.Throws<ArgumentException>(() => LogSetup.Configure(LogDestination.Stderr, "mail", "imap4d", "loud", false));
    }

    [TestCase("mail", SyslogFacility.Mail)]
    [TestCase("MAIL", SyslogFacility.Mail)]
    [TestCase("LOG_MAIL", SyslogFacility.Mail)]
    [TestCase("daemon", SyslogFacility.Daemon)]
    [TestCase("auth", SyslogFacility.Auth)]
    [TestCase("user", SyslogFacility.User)]
    [TestCase("authpriv", SyslogFacility.AuthPriv)]
    [TestCase("local0", SyslogFacility.Local0)]
    [TestCase("local7", SyslogFacility.Local7)]
    public void FacilityNames(string name, SyslogFacility facility)
    {
        Assert.That(SyslogFacilities.TryParse(name, out SyslogFacility parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(facility));
    }

    [TestCase("")]
    [TestCase("local8")]
    [TestCase("mail ")]
    [TestCase("LOG_")]
    public void BadFacilityNames(string name)
    {
        Assert.That(SyslogFacilities.TryParse(name, out _), Is.False);
    }

    [TestCase("debug", SyslogSeverity.Debug, "Debug")]
    [TestCase("info", SyslogSeverity.Info, "Info")]
    [TestCase("notice", SyslogSeverity.Notice, "Info")]
    [TestCase("warning", SyslogSeverity.Warning, "Warn")]
    [TestCase("error", SyslogSeverity.Error, "Error")]
    [TestCase("crit", SyslogSeverity.Crit, "Fatal")]
    [TestCase("alert", SyslogSeverity.Alert, "Fatal")]
    [TestCase("emerg", SyslogSeverity.Emerg, "Fatal")]
    public void SeverityNamesAndNLogLevels(string name, SyslogSeverity severity, string level)
    {
        Assert.That(SyslogSeverities.Parse(name), Is.EqualTo(severity));
        Assert.That(SyslogSeverities.Name(severity), Is.EqualTo(name));
        Assert.That(SyslogSeverities.ToLogLevel(severity).Name, Is.EqualTo(level));
    }

    [Test]
    public void OptionsFromTheLoggingBlock()
    {
        LogOptions options = LogOptions.FromSettings(new LoggingSettings
        {
            Syslog = false,
            Facility = "local2",
            Tag = "imapd",
            Severity = "notice",
            PrintSeverity = true,
        });
        Assert.That(options, Is.EqualTo(new LogOptions
        {
            Destination = LogDestination.Stderr,
            Facility = SyslogFacility.Local2,
            Tag = "imapd",
            MinimumSeverity = SyslogSeverity.Notice,
            PrintSeverity = true,
        }));
        Assert.That(LogOptions.FromSettings(new LoggingSettings()), Is.EqualTo(new LogOptions()), "same defaults");
    }
}
