namespace Imap4d.Tests.Support;

/// <summary>
/// The daemon as the root-only tests run it: a login process with one prestarted child, a
/// session process per login, no login delay and a lockout directory of its own under
/// <c>dir</c> (so failed logins of one test never lock out another).
/// </summary>
public static class LoginProcessDaemon
{
    /// <summary>Starts it with <paramref name="extra"/> appended to the configuration; returns once the login process is ready.</summary>
    public static (ServerProcess Server, int Port) Start(string dir, string extra)
    {
        int port = ServerProcess.FreePort();
        string config = Path.Combine(dir, $"imap4d-{port}.conf");
        File.WriteAllText(config, $$"""
            logging { syslog no; severity debug; }
            login-failure-delay 0;
            lockout { directory "{{dir}}/lockout-{{port}}"; failure-interval 0; }
            login-process yes;
            prestart-children 1;
            server 127.0.0.1:{{port}} { single-process no; }
            {{extra}}
            """);
        var server = ServerProcess.Start("--daemon", "--foreground", "--config-file=" + config);
        try
        {
            server.WaitForPort(port);
            Assert.That(ProcTable.WaitUntil(() => server.Stderr.Contains("login process ready", StringComparison.Ordinal), TimeSpan.FromSeconds(20)),
                Is.True, server.Stderr);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return (server, port);
    }
}
