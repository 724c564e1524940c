using System.Diagnostics;
using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>
/// A minimal inetd: a python3 script listens on a free loopback port and runs
/// `imap4d ARGS` for each connection with the socket as standard input and output, as inetd
/// and systemd (Accept=yes) do. The children's stderr (the log) is collected.
/// </summary>
public sealed class InetdLauncher : IDisposable
{
    private const string Script = """
        import socket, subprocess, sys
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(('127.0.0.1', 0))
        server.listen(16)
        print(server.getsockname()[1], flush=True)
        children = []
        while True:
            conn, _ = server.accept()
            children = [c for c in children if c.poll() is None]
            children.append(subprocess.Popen(sys.argv[1:], stdin=conn, stdout=conn))
            conn.close()
        """;

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private InetdLauncher(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the sessions logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static InetdLauncher Start(params string[] imap4dArgs)
    {
        string python = RepoPaths.FindProgram("python3") ?? "";
        if (python.Length == 0)
        {
            Assert.Ignore("python3 is not installed");
        }

        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add(RepoPaths.Executable);
        foreach (string arg in imap4dArgs)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        string? port = process.StandardOutput.ReadLine();
        if (port is null)
        {
            throw new InvalidOperationException("the inetd script did not start: " + process.StandardError.ReadToEnd());
        }

        var launcher = new InetdLauncher(process, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (launcher._log)
                {
                    launcher._log.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        return launcher;
    }

    /// <summary>The log once it contains <paramref name="text"/> (or after 5 s): children write it asynchronously.</summary>
    public string LogWith(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!Log.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return Log;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
