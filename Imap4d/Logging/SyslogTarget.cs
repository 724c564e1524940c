using System.Net.Sockets;
using System.Text;
using NLog;
using NLog.Targets;

namespace Imap4d.Logging;

/// <summary>
/// Sends each event as one RFC 3164 datagram to the local syslog socket (<c>/dev/log</c>).
/// </summary>
/// <remarks>
/// When the socket cannot be reached even after reconnecting once, the message is dropped
/// silently. Falling back to stderr is not safe: under classic inetd, stderr is the client's
/// connection, and a log line there would corrupt the IMAP stream.
/// The reconnect covers syslog daemons that restart and recreate the socket.
/// NLog serializes calls to <see cref="Write(LogEventInfo)"/>, so the socket needs no lock.
/// </remarks>
public sealed class SyslogTarget : Target
{
    public const string DefaultSocketPath = "/dev/log";

    private Socket? socket;

    /// <summary>The Unix datagram socket of the syslog daemon; tests point it at a temporary path.</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    public SyslogFacility Facility { get; set; } = SyslogFacilities.Default;

    /// <summary>The TAG of <c>TAG[PID]:</c>, the program name unless configured.</summary>
    public string Tag { get; set; } = "imap4d";

    /// <summary>Less severe events are not sent.</summary>
    public SyslogSeverity MinimumSeverity { get; set; } = SyslogSeverity.Debug;

    public int ProcessId { get; set; } = Environment.ProcessId;

    protected override void Write(LogEventInfo logEvent)
    {
        SyslogSeverity severity = SyslogSeverities.Of(logEvent);
        if (severity > MinimumSeverity)
        {
            return;
        }

        string line = Rfc3164Format.Format(Facility, severity, logEvent.TimeStamp.ToLocalTime(), Tag, ProcessId, logEvent.FormattedMessage);
        byte[] datagram = Encoding.UTF8.GetBytes(line);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                socket ??= Connect();
                socket.Send(datagram);
                return;
            }
            catch (SocketException)
            {
                Disconnect();
            }
        }
    }

    protected override void CloseTarget()
    {
        Disconnect();
        base.CloseTarget();
    }

    private Socket Connect()
    {
        var newSocket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            newSocket.Connect(new UnixDomainSocketEndPoint(SocketPath));
            return newSocket;
        }
        catch
        {
            newSocket.Dispose();
            throw;
        }
    }

    private void Disconnect()
    {
        socket?.Dispose();
        socket = null;
    }
}
