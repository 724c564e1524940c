using System.Text;
using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// Puts the daemon in the background. .NET cannot fork, so instead of fork-and-exit this
/// process starts a copy of itself with `--foreground`, in a new session (setsid), with
/// /dev/null as standard input, output and error, and a pipe on which the copy reports
/// (<see cref="ReadinessReport"/>) that it listens. This process then exits 0, or, when the
/// copy cannot start, prints its reason and exits with its status: a caller (an init script)
/// sees failure as it would from a forking daemon.
/// </summary>
public static class DaemonDetacher
{
    private const int ReportDescriptor = 3;
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts the detached daemon and waits for its report; returns this process's exit status.</summary>
    public static int Run(IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var (path, prefix) = ChildCommandLine.Executable();
        var (read, write) = FileDescriptors.CreatePipe();
        int devNull = FileDescriptors.OpenDevNull();
        int pid;
        try
        {
            var environment = ChildEnvironment.Build(new Dictionary<string, string>
            {
                [ChildEnvironment.ReadyFdVariable] = ReportDescriptor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            pid = PosixSpawn.Spawn(new SpawnRequest(path, [.. prefix, .. ChildCommandLine.ForDetachedDaemon(arguments)], environment)
            {
                Descriptors = [(devNull, 0), (devNull, 1), (devNull, 2), (write, ReportDescriptor)],
                NewSession = true,
            });
        }
        catch (NativeError e)
        {
            FileDescriptors.Close(read);
            stderr.WriteLine($"{HelpText.ProgramName}: cannot start the daemon: {e.Message}");
            return ExitCodes.OsError;
        }
        finally
        {
            FileDescriptors.Close(write);
            FileDescriptors.Close(devNull);
        }

        string? report = ReadReport(read);
        if (report == "OK")
        {
            return ExitCodes.Ok;
        }

        if (report is not null && report.StartsWith("ERR ", StringComparison.Ordinal))
        {
            stderr.WriteLine($"{HelpText.ProgramName}: {report[4..]}");
        }
        else if (report is null)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: the daemon did not report that it started within {ReportTimeout.TotalSeconds} seconds");
            return ExitCodes.Software;
        }

        ChildExit exit = WaitForExit(pid, TimeSpan.FromSeconds(10));
        if (exit.ExitCode is int code && code != 0)
        {
            return code;
        }

        if (report.Length == 0)
        {
            stderr.WriteLine($"{HelpText.ProgramName}: the daemon ended before it started listening ({exit})");
        }

        return ExitCodes.Software;
    }

    /// <summary>The first line on the pipe; "" at end of file without one; null on timeout.</summary>
    private static string? ReadReport(int fd)
    {
        var reader = Task.Run(() =>
        {
            var text = new StringBuilder();
            Span<byte> buffer = stackalloc byte[512];
            try
            {
                int n;
                while ((n = FileDescriptors.Read(fd, buffer)) > 0)
                {
                    text.Append(Encoding.UTF8.GetString(buffer[..n]));
                    if (text.ToString().Contains('\n', StringComparison.Ordinal))
                    {
                        break;
                    }
                }
            }
            catch (NativeError)
            {
            }

            return text.ToString().Split('\n')[0];
        });
        try
        {
            return reader.Wait(ReportTimeout) ? reader.Result : null;
        }
        finally
        {
            if (reader.IsCompleted)
            {
                FileDescriptors.Close(fd);
            }
        }
    }

    private static ChildExit WaitForExit(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ProcessControl.TryReap(pid) is ChildExit exit)
            {
                return exit;
            }

            Thread.Sleep(10);
        }

        return ChildExit.Unknown;
    }
}
