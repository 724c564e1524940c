using System.Globalization;

namespace Imap4d.Hosting;

/// <summary>
/// What the daemon tells the processes it starts, through environment variables rather than
/// options, so that `--help` and the GNU command line stay as they are. None of these is for
/// users; they are read once at start-up and removed from this process's environment, so that
/// programs it starts in turn never see them.
/// </summary>
/// <param name="DaemonChild">IMAP4D_DAEMON_CHILD=1: an inetd-mode session started by our daemon for one
/// accepted connection. Preauthentication by stdio never applies to it.</param>
/// <param name="LogToStderr">IMAP4D_LOG_STDERR=1: log to standard error whatever the configuration says,
/// as the daemon (in the foreground) that started us does.</param>
/// <param name="PoolChannel">IMAP4D_POOL_CHANNEL=FD: a prestarted session; FD is a Unix socket to the daemon,
/// on which it says it is ready and then receives the connection (see <see cref="PoolChannel"/>).</param>
/// <param name="LoginChannel">IMAP4D_LOGIN_CHANNEL=FD: the login process; FD is a sequenced-packet socket to the
/// daemon, on which connections arrive and credentials are checked (see <see cref="LoginProcessHost"/>).</param>
/// <param name="ReadyFd">IMAP4D_READY_FD=FD: a daemon started by <see cref="DaemonDetacher"/>; FD is a pipe on
/// which it reports that it listens, or why it cannot (see <see cref="ReadinessReport"/>).</param>
/// <param name="DeliveryChannel">IMAP4D_DELIVERY_CHANNEL=FD: a delivery worker started by a root LMTP or LDA process;
/// FD is a sequenced-packet socket on which messages for its one user arrive (see <see cref="DeliveryWorkerHost"/>).</param>
public sealed record ChildEnvironment(bool DaemonChild, bool LogToStderr, int? PoolChannel, int? ReadyFd, int? LoginChannel = null, int? DeliveryChannel = null)
{
    public const string DaemonChildVariable = "IMAP4D_DAEMON_CHILD";
    public const string LogToStderrVariable = "IMAP4D_LOG_STDERR";
    public const string PoolChannelVariable = "IMAP4D_POOL_CHANNEL";
    public const string ReadyFdVariable = "IMAP4D_READY_FD";
    public const string LoginChannelVariable = "IMAP4D_LOGIN_CHANNEL";
    public const string DeliveryChannelVariable = "IMAP4D_DELIVERY_CHANNEL";

    /// <summary>The descriptor a delivery worker finds its channel on.</summary>
    public const int DeliveryChannelFd = 3;

    /// <summary>Reads the variables and removes them from this process's environment.</summary>
    public static ChildEnvironment TakeFromProcess()
    {
        var result = new ChildEnvironment(
            Take(DaemonChildVariable) == "1",
            Take(LogToStderrVariable) == "1",
            Descriptor(Take(PoolChannelVariable)),
            Descriptor(Take(ReadyFdVariable)),
            Descriptor(Take(LoginChannelVariable)),
            Descriptor(Take(DeliveryChannelVariable)));
        return result;
    }

    /// <summary>This process's environment as "NAME=value" strings, without our variables, plus <paramref name="extra"/>.</summary>
    public static List<string> Build(IEnumerable<KeyValuePair<string, string>> extra)
    {
        var own = new HashSet<string>(StringComparer.Ordinal) { DaemonChildVariable, LogToStderrVariable, PoolChannelVariable, ReadyFdVariable, LoginChannelVariable, DeliveryChannelVariable };
        var list = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (!own.Contains(name))
            {
                list.Add($"{name}={entry.Value}");
            }
        }

        list.AddRange(extra.Select(pair => $"{pair.Key}={pair.Value}"));
        return list;
    }

    private static string? Take(string name)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (value is not null)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        return value;
    }

    private static int? Descriptor(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) && fd > 2 ? fd : null;
}
