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

    /// <summary>The file name of the post-login build installed beside the daemon (see <see cref="PostLoginExecutable"/>).</summary>
    public const string PostLoginProgramName = "imap4d-session";

    /// <summary>
    /// The program for processes that serve logged-in users only: `imap4d-session` beside
    /// <paramref name="daemonPath"/> when it is installed and executable, else the daemon's own
    /// executable. `make` builds imap4d-session as a fixed-address (non-PIE) copy of the same
    /// program, whose type tables every session then shares from the file instead of writing a
    /// private 2.6 MB copy at start-up; the daemon and the login process, which read strangers'
    /// bytes, keep the position-independent binary and full address-space randomisation.
    /// </summary>
    public static string PostLoginExecutable(string daemonPath)
    {
        string? directory = Path.GetDirectoryName(daemonPath);
        if (directory is null || Path.GetFileNameWithoutExtension(daemonPath) == "dotnet")
        {
            return daemonPath;
        }

        string candidate = Path.Combine(directory, PostLoginProgramName);
        return File.Exists(candidate) && Mono.Unix.Native.Syscall.access(candidate, Mono.Unix.Native.AccessModes.X_OK) == 0
            ? candidate
            : daemonPath;
    }
}
