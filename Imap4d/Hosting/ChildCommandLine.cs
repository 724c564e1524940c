namespace Imap4d.Hosting;

/// <summary>
/// How the daemon starts copies of itself: the executable, and the arguments of a session
/// child (inetd mode) or of the detached daemon, derived from the daemon's own command line.
/// </summary>
public static class ChildCommandLine
{
    /// <summary>Options of the daemon that mean nothing to, or would change, a session child.</summary>
    private static readonly HashSet<string> DaemonOnly = new(StringComparer.Ordinal)
    {
        "--daemon", "--inetd", "--foreground", "--test", "--preauth", "--config-verbose",
    };

    /// <summary>
    /// The arguments of a session child: `--inetd` and the daemon's options in their canonical
    /// form, minus the daemon options (`-d[N]`, `--foreground`) and those that would change the
    /// session (`--preauth`, `--test`). Configuration options (`--config-file`, `--set`, ...) are kept,
    /// so that the child reads the same configuration.
    /// </summary>
    public static List<string> ForSession(IReadOnlyList<string> daemonArguments)
    {
        var normalized = GnuArgumentNormalizer.Normalize(daemonArguments);
        var arguments = new List<string> { "--inetd" };
        arguments.AddRange(normalized.Arguments.Where(a =>
            !DaemonOnly.Contains(a) && !a.StartsWith("--" + GnuArgumentNormalizer.MaxChildrenOption + "=", StringComparison.Ordinal)));
        return arguments;
    }

    /// <summary>The arguments of the detached daemon: the same, staying in the foreground of its new session.</summary>
    public static List<string> ForDetachedDaemon(IReadOnlyList<string> arguments) => [.. arguments, "--foreground"];

    /// <summary>
    /// The program to run and the argv words before the arguments: this executable (the
    /// NativeAOT binary itself, or the ReadyToRun build's apphost), or the `dotnet` host and our
    /// assembly when started as `dotnet imap4d.dll`.
    /// </summary>
    public static (string Path, List<string> Prefix) Executable()
    {
        string path = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's executable");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            return (path, [path, Environment.GetCommandLineArgs()[0]]);
        }

        return (path, [path]);
    }
}
