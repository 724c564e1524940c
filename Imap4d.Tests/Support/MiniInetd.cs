using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>
/// A tiny inetd (python3): listens on a loopback address and a free port, and for every
/// connection runs the real imap4d with the accepted socket as its fds 0 and 1, exactly as
/// inetd does. imap4d's stderr (its log, with `logging { syslog no; }`) is collected.
/// </summary>
public sealed class MiniInetd : IDisposable
{
    private const string Script = """
        import os, signal, socket, sys
        host = sys.argv[1]
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        server = socket.socket(family, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, 0))
        server.listen(16)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        print(server.getsockname()[1], flush=True)
        while True:
            conn, _ = server.accept()
            if os.fork() == 0:
                # A SIGCHLD ignored here would be inherited through exec and hide imap4d's own children.
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                server.close()
                os.dup2(conn.fileno(), 0)
                os.dup2(conn.fileno(), 1)
                conn.close()
                os.execv(sys.argv[2], sys.argv[2:])
            conn.close()
        """;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    /// <summary>Starts listening; imap4d will be run as <c>imap4d ARGS</c> per connection.</summary>
    public MiniInetd(string host, params string[] imap4dArgs)
    {
        string python = RepoPaths.FindProgram("python3") ?? throw new IgnoreException("needs python3");
        Host = host;
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-c", Script, host, RepoPaths.Executable }.Concat(imap4dArgs))
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start python3");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        string? port = _process.StandardOutput.ReadLine();
        if (port is null)
        {
            throw new InvalidOperationException("mini inetd did not start: " + Log);
        }

        Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>Everything the imap4d processes wrote to stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits until the log contains <paramref name="text"/> (log lines may trail the protocol).</summary>
    public string WaitForLog(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Log.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        return Log;
    }

    /// <summary>A connected client; its reads time out after 15 s.</summary>
    public Connection Connect()
    {
        var client = new TcpClient(Host.Contains(':', StringComparison.Ordinal) ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        client.Connect(IPAddress.Parse(Host), Port);
        client.ReceiveTimeout = 15_000;
        return new Connection(client);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>One client connection: raw writes, CRLF line reads.</summary>
    public sealed class Connection(TcpClient client) : IDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();

        /// <summary>The client's own end (what ident and the logs talk about).</summary>
        public IPEndPoint LocalEndPoint => (IPEndPoint)client.Client.LocalEndPoint!;

        public void Send(byte[] bytes) => _stream.Write(bytes);

        public void Send(string text) => Send(Encoding.ASCII.GetBytes(text));

        /// <summary>The next line without CRLF; null at end of stream.</summary>
        public string? ReadLine()
        {
            var line = new List<byte>();
            while (true)
            {
                int b = _stream.ReadByte();
                if (b < 0)
                {
                    return line.Count == 0 ? null : Encoding.ASCII.GetString(line.ToArray());
                }

                if (b == '\n')
                {
                    return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.Add((byte)b);
            }
        }

        /// <summary>Sends a command and returns its lines up to the tagged one.</summary>
        public List<string> Command(string tag, string command)
        {
            Send($"{tag} {command}\r\n");
            var lines = new List<string>();
            while (true)
            {
                string line = ReadLine() ?? throw new EndOfStreamException("closed during " + command);
                lines.Add(line);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return lines;
                }
            }
        }

        public void Dispose() => client.Dispose();
    }
}
