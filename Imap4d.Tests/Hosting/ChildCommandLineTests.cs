using Imap4d.Hosting;

namespace Imap4d.Tests.Hosting;

public class ChildCommandLineTests
{
    [Test]
    public void SessionChildKeepsConfigurationOptionsAndDropsDaemonOnes() =>
        Assert.That(ChildCommandLine.ForSession(["-d5", "--foreground", "--config-file", "/etc/x.conf", "--set", "logging.severity=debug", "--preauth", "--log-facility=local1"]),
            Is.EqualTo(new[] { "--inetd", "--log-facility=local1", "--config-file=/etc/x.conf", "--set=logging.severity=debug" }));

    [Test]
    public void SessionChildOfAConfiguredDaemonIsInetd() =>
        Assert.That(ChildCommandLine.ForSession(["--no-config", "--test", "--config-verbose"]), Is.EqualTo(new[] { "--inetd", "--no-site-config" }));

    [Test]
    public void SessionChildArgumentsParseBackToInetdMode()
    {
        var result = CommandLineOptions.Parse([.. ChildCommandLine.ForSession(["--daemon=3", "--foreground", "--set=port=1143"])], TextWriter.Null, TextWriter.Null);
        Assert.That(result.Options!.Mode, Is.EqualTo(ServerMode.Inetd));
        Assert.That(result.Options.MaxChildren, Is.Null);
        Assert.That(result.Options.Foreground, Is.False);
        Assert.That(result.Options.Settings, Is.EqualTo(new[] { "port=1143" }));
    }

    [Test]
    public void DetachedDaemonStaysInTheForegroundOfItsSession() =>
        Assert.That(ChildCommandLine.ForDetachedDaemon(["-d", "--no-foreground"]), Is.EqualTo(new[] { "-d", "--no-foreground", "--foreground" }));
    [Test]
    public void PostLoginSessionsRunTheExecutableSessionBuildBesideTheDaemonElseTheDaemon()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-postlogin-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string daemon = Path.Combine(dir, "imap4d");
            string session = Path.Combine(dir, ChildCommandLine.PostLoginProgramName);
            File.WriteAllText(daemon, "");
            Assert.That(ChildCommandLine.PostLoginExecutable(daemon), Is.EqualTo(daemon), "none installed");

            File.WriteAllText(session, "");
            File.SetUnixFileMode(session, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.That(ChildCommandLine.PostLoginExecutable(daemon), Is.EqualTo(daemon), "not executable");

            File.SetUnixFileMode(session, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Assert.That(ChildCommandLine.PostLoginExecutable(daemon), Is.EqualTo(session));
            Assert.That(ChildCommandLine.PostLoginExecutable("/usr/bin/dotnet"), Is.EqualTo("/usr/bin/dotnet"), "dotnet host");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
