using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// Starts session processes: copies of this program in inetd mode, either with an accepted
/// connection as standard input and output, or (prestarted) with a channel to the daemon on
/// which the connection arrives later. Standard error is the daemon's: its terminal in the
/// foreground, /dev/null once detached.
/// </summary>
public sealed class ChildSpawner
{
    /// <summary>The descriptor number a prestarted child finds its channel on.</summary>
    public const int PoolChannelDescriptor = 3;

    private readonly string _path;
    private readonly List<string> _argv;
    private readonly List<string> _lmtpArgv;
    private readonly string _pooledPath;
    private readonly List<string> _pooledArgv;
    private readonly List<string> _sessionEnvironment;
    private readonly List<string> _pooledEnvironment;
    private readonly List<string> _loginEnvironment;

    /// <param name="daemonArguments">The daemon's command line, from which the child's is derived.</param>
    /// <param name="logToStderr">Whether children log to standard error, as a daemon in the foreground does.</param>
    /// <param name="pooledServeLoggedInOnly">Whether prestarted children only ever receive connections
    /// that logged in elsewhere (the login process is used): they may then run the post-login build.</param>
    public ChildSpawner(IReadOnlyList<string> daemonArguments, bool logToStderr, bool pooledServeLoggedInOnly = false)
    {
        var (path, prefix) = ChildCommandLine.Executable();
        _path = path;
        _argv = [.. prefix, .. ChildCommandLine.ForSession(daemonArguments)];
        WorkerConfiguration = [.. ChildCommandLine.ForSession(daemonArguments).Where(a => a != "--inetd")];
        _lmtpArgv = [.. prefix, "--lmtp", .. WorkerConfiguration];
        _pooledPath = pooledServeLoggedInOnly ? ChildCommandLine.PostLoginExecutable(path) : path;
        _pooledArgv = _pooledPath == path ? _argv : [_pooledPath, .. _argv.Skip(prefix.Count)];
        var common = new Dictionary<string, string> { [ChildEnvironment.DaemonChildVariable] = "1" };
        if (logToStderr)
        {
            common[ChildEnvironment.LogToStderrVariable] = "1";
        }

        _sessionEnvironment = ChildEnvironment.Build(common);
        common[ChildEnvironment.PoolChannelVariable] = PoolChannelDescriptor.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _pooledEnvironment = ChildEnvironment.Build(common);
        common.Remove(ChildEnvironment.PoolChannelVariable);
        common[ChildEnvironment.LoginChannelVariable] = PoolChannelDescriptor.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _loginEnvironment = ChildEnvironment.Build(common);
    }

    /// <summary>The daemon's configuration options, as the workers it starts for users (`--deliver -- USER`) get them.</summary>
    public IReadOnlyList<string> WorkerConfiguration { get; }

    /// <summary>The child's argv, for logs and tests.</summary>
    public IReadOnlyList<string> Arguments => _argv;

    /// <summary>The program prestarted children run: this one, or the post-login build beside it.</summary>
    public string PooledExecutable => _pooledPath;

    /// <summary>Starts a session on <paramref name="connection"/> (fds 0 and 1 of the child); returns its pid.</summary>
    public int SpawnSession(int connection) =>
        PosixSpawn.Spawn(new SpawnRequest(_path, _argv, _sessionEnvironment)
        {
            Descriptors = [(connection, 0), (connection, 1)],
        });

    /// <summary>Starts an LMTP conversation (`--lmtp`) on <paramref name="connection"/> (fds 0 and 1 of the child); returns its pid.</summary>
    public int SpawnLmtp(int connection) =>
        PosixSpawn.Spawn(new SpawnRequest(_path, _lmtpArgv, _sessionEnvironment)
        {
            Descriptors = [(connection, 0), (connection, 1)],
        });

    /// <summary>
    /// Starts a prestarted session whose channel is <paramref name="channel"/> (fd 3 of the child);
    /// its standard input and output are /dev/null until a connection arrives. Returns its pid.
    /// </summary>
    public int SpawnPooled(int channel)
    {
        int devNull = FileDescriptors.OpenDevNull();
        try
        {
            return PosixSpawn.Spawn(new SpawnRequest(_pooledPath, _pooledArgv, _pooledEnvironment)
            {
                Descriptors = [(devNull, 0), (devNull, 1), (channel, PoolChannelDescriptor)],
            });
        }
        finally
        {
            FileDescriptors.Close(devNull);
        }
    }

    /// <summary>
    /// Starts the login process with its channel <paramref name="channel"/> on fd 3 and /dev/null
    /// as standard input and output. Returns its pid.
    /// </summary>
    public int SpawnLogin(int channel)
    {
        int devNull = FileDescriptors.OpenDevNull();
        try
        {
            return PosixSpawn.Spawn(new SpawnRequest(_path, _argv, _loginEnvironment)
            {
                Descriptors = [(devNull, 0), (devNull, 1), (channel, PoolChannelDescriptor)],
            });
        }
        finally
        {
            FileDescriptors.Close(devNull);
        }
    }
}
