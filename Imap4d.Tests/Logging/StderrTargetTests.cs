using Imap4d.Logging;
using NLog;
using NLog.Config;

namespace Imap4d.Tests.Logging;

public class StderrTargetTests
{
    private static (LogFactory Factory, StringWriter Output) Factory(bool printSeverity, SyslogSeverity minimum = SyslogSeverity.Debug)
    {
        var output = new StringWriter();
        var target = new StderrTarget(output) { PrintSeverity = printSeverity, MinimumSeverity = minimum };
        var configuration = new LoggingConfiguration();
        configuration.AddRuleForAllLevels(target);
        return (new LogFactory { ThrowExceptions = true, Configuration = configuration }, output);
    }

    [Test]
    public void PlainFormat()
    {
        var (factory, output) = Factory(printSeverity: false);
        using (factory)
        {
            factory.GetLogger("x").Warn("disk full");
        }

        Assert.That(output.ToString(), Is.EqualTo("imap4d: disk full" + Environment.NewLine));
    }

    [Test]
    public void SeverityFormatUsesGnuNames()
    {
        var (factory, output) = Factory(printSeverity: true);
        using (factory)
        {
            Logger logger = factory.GetLogger("x");
            logger.Debug("a");
            logger.Info("b");
            logger.Notice("c");
            logger.Warn("d");
            logger.Error("e");
            logger.Critical("f");
            logger.Alert("g");
            logger.Emergency("h");
            logger.Fatal("i");
        }

        string nl = Environment.NewLine;
        Assert.That(output.ToString(), Is.EqualTo(
            $"imap4d: [debug] a{nl}imap4d: [info] b{nl}imap4d: [notice] c{nl}imap4d: [warning] d{nl}imap4d: [error] e{nl}"
            + $"imap4d: [crit] f{nl}imap4d: [alert] g{nl}imap4d: [emerg] h{nl}imap4d: [crit] i{nl}"));
    }

    [Test]
    public void MinimumSeverityIsExact()
    {
        var (factory, output) = Factory(printSeverity: true, minimum: SyslogSeverity.Notice);
        using (factory)
        {
            Logger logger = factory.GetLogger("x");
            logger.Info("hidden");
            logger.Notice("shown");
        }

        Assert.That(output.ToString(), Is.EqualTo("imap4d: [notice] shown" + Environment.NewLine));
    }

    [Test]
    public void RefusesStandardOutput()
    {
        Assert.Throws<ArgumentException>(() => _ = new StderrTarget(Console.Out));
    }
}
