using NUnit.Framework.Interfaces;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// Base of the real-client tests: daemons started through <see cref="StartDaemon"/> are stopped
/// after each test, and when the test failed their protocol transcript goes to the test output.
/// </summary>
public abstract class RealClientTest
{
    private readonly List<ClientDaemon> _daemons = [];

    protected ClientDaemon StartDaemon(string type, bool demoInbox = false, string extra = "")
    {
        var daemon = ClientDaemon.Start(type, demoInbox, extra);
        _daemons.Add(daemon);
        return daemon;
    }

    [TearDown]
    public void StopDaemons()
    {
        bool failed = TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed;
        foreach (var daemon in _daemons)
        {
            if (failed)
            {
                TestContext.Out.WriteLine($"--- imap4d ({daemon.Type}, port {daemon.Port}) transcript ---");
                TestContext.Out.WriteLine(daemon.Transcript);
            }

            daemon.Dispose();
        }

        _daemons.Clear();
    }
}
