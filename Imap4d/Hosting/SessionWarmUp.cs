using System.Text;
using Imap4d.Commands;
using Imap4d.Session;

namespace Imap4d.Hosting;

/// <summary>
/// Runs a short session in memory (CAPABILITY, NOOP, LOGOUT) before a prestarted process
/// reports ready, so that the code every session runs (reader, writer, command table, state
/// checks) is loaded and initialized before a client waits on it. Touches no mail, no
/// authentication and no log.
/// </summary>
public static class SessionWarmUp
{
    private static readonly byte[] Script = Encoding.ASCII.GetBytes("w1 CAPABILITY\r\nw2 NOOP\r\nw3 LOGOUT\r\n");

    public static void Run(SessionServices services)
    {
        var quiet = new SessionServices { Settings = services.Settings, Clock = services.Clock };
        var session = new ImapSession(quiet, CommandRegistry.CreateDefault());
        using var input = new MemoryStream(Script, writable: false);
        using var output = new MemoryStream();
        session.RunAsync(input, output, SessionStart.Normal, CancellationToken.None).GetAwaiter().GetResult();
    }
}
