using System.Net.Sockets;
using Imap4d.Config;
using Imap4d.Lmtp;
using Imap4d.Session;
using Microsoft.Win32.SafeHandles;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// `imap4d --lmtp`: one LMTP conversation on standard input and output, as inetd, systemd
/// (Accept=yes) or our daemon (a `server` block with `protocol lmtp`) runs it. Messages go
/// through the same delivery as `--deliver` (<see cref="DeliveryAgent"/>).
/// </summary>
public static class LmtpHost
{
    public static int Run(ServerSettings settings, IReadOnlyList<string> args, CancellationToken ct)
    {
        var log = LogManager.GetLogger("imap4d");
        var connection = ConnectionInfo.FromFileDescriptor(0);
        Stream input;
        Stream output;
        Socket? socket = null;
        if (connection.IsSocket || ConnectionInfo.IsSocketDescriptor(0))
        {
            socket = new Socket(new SafeSocketHandle(0, ownsHandle: false));
            input = output = new NetworkStream(socket, ownsSocket: false);
        }
        else
        {
            input = new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);
            output = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        }

        log.Info("LMTP session from {0}", connection.ClientText);
        using var agent = new DeliveryAgent(settings, args, log, keepStderr: false);
        var session = new LmtpSession(agent, log, Environment.MachineName, settings.Limits.MaxAppendSize, settings.IdleTimeout,
            connection.RemoteAddress?.ToString() ?? (connection.IsSocket ? null : "127.0.0.1"));
        try
        {
            session.RunAsync(input, output, ct).GetAwaiter().GetResult();
        }
        finally
        {
            input.Dispose();
            if (!ReferenceEquals(input, output))
            {
                output.Dispose();
            }

            socket?.Dispose();
        }

        return ExitCodes.Ok;
    }
}
