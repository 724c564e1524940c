using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>A plain TCP IMAP client for daemon tests: reads lines, sends tagged commands.</summary>
public sealed class TcpLineClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    public TcpLineClient(int port)
    {
        _tcp = new TcpClient();
        _tcp.Connect(IPAddress.Loopback, port);
        _stream = _tcp.GetStream();
        _stream.ReadTimeout = 15_000;
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    /// <summary>This end's port, which the daemon logs as the client's.</summary>
    public int LocalPort => ((IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <summary>The next line, or null at end of stream (or on a reset connection).</summary>
    public string? ReadLine()
    {
        try
        {
            return _reader.ReadLine();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends a command and returns every line up to its tagged response.</summary>
    public List<string> Command(string tag, string command)
    {
        _stream.Write(Encoding.ASCII.GetBytes($"{tag} {command}\r\n"));
        var lines = new List<string>();
        while (true)
        {
            string line = ReadLine() ?? throw new EndOfStreamException($"server closed during {command}: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>Sends <paramref name="text"/> as it is, in one write (pipelined commands, continuation lines).</summary>
    public void Send(string text) => _stream.Write(Encoding.ASCII.GetBytes(text));

    public void Dispose()
    {
        _reader.Dispose();
        _tcp.Dispose();
    }
}
