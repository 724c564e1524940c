using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>The real imap4d executable as a child process, killed when disposed.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process)
    {
        Process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts imap4d with the given arguments, stdin and stdout redirected.</summary>
    public static ServerProcess Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts imap4d as <see cref="Start(string[])"/> does, with <paramref name="environment"/> added to its environment.</summary>
    public static ServerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(RepoPaths.Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("cannot start imap4d"));
    }

    /// <summary>
    /// Starts imap4d as <see cref="Start"/> does, but with <paramref name="blocked"/> (signal names
    /// such as "SIGHUP") blocked in the mask it inherits, as a careless supervisor might leave it:
    /// python3 blocks them and execs imap4d in the same process.
    /// </summary>
    public static ServerProcess StartWithSignalsBlocked(string[] blocked, params string[] args)
    {
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import os, signal, sys\n"
                              + $"signal.pthread_sigmask(signal.SIG_BLOCK, [{string.Join(", ", blocked.Select(b => "signal." + b))}])\n"
                              + "os.execv(sys.argv[1], sys.argv[1:])\n");
        info.ArgumentList.Add(RepoPaths.Executable);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("cannot start imap4d"));
    }

    /// <summary>Runs imap4d to completion; returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string stdin, params string[] args)
    {
        using var server = Start(args);
        server.Process.StandardInput.Write(stdin);
        server.Process.StandardInput.Close();
        string stdout = server.Process.StandardOutput.ReadToEnd();
        if (!server.Process.WaitForExit(30_000))
        {
            throw new TimeoutException("imap4d did not exit");
        }

        server.Process.WaitForExit();
        return (server.Process.ExitCode, stdout, server.Stderr);
    }

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Waits until something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public void WaitForPort(int port, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"imap4d exited with {Process.ExitCode}: {Stderr}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"imap4d did not listen on {port}: {Stderr}");
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
