using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>
/// A minimal IMAP client over any pair of streams (a process's pipes, a TCP connection): sends
/// command lines and collects the response lines up to the tagged one, with a timeout.
/// </summary>
public sealed class LineClient(Stream toServer, Stream fromServer)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly StreamReader _reader = new(fromServer, Encoding.Latin1);

    /// <summary>The next line from the server; throws on timeout, null at end of stream.</summary>
    public string? ReadLine()
    {
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            return _reader.ReadLineAsync(cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no line from the server");
        }
    }

    public void Send(string line)
    {
        toServer.Write(Encoding.UTF8.GetBytes(line + "\r\n"));
        toServer.Flush();
    }

    /// <summary>Sends "TAG COMMAND" and returns every line up to and including the tagged response.</summary>
    public List<string> Command(string tag, string command)
    {
        Send(tag + " " + command);
        return ReadUntilTagged(tag);
    }

    /// <summary>The tagged line of a command ("a OK ...", "a NO ...").</summary>
    public string Tagged(string tag, string command) => Command(tag, command)[^1];

    /// <summary>APPEND with a synchronizing literal; the server may refuse before the data is sent.</summary>
    public List<string> Append(string tag, string mailbox, string message)
    {
        byte[] data = Encoding.UTF8.GetBytes(message);
        Send($"{tag} APPEND {mailbox} {{{data.Length}}}");
        string first = ReadLine() ?? throw new EndOfStreamException();
        if (!first.StartsWith('+'))
        {
            return [first];
        }

        toServer.Write(data);
        toServer.Write("\r\n"u8);
        toServer.Flush();
        return ReadUntilTagged(tag);
    }

    private List<string> ReadUntilTagged(string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            string line = ReadLine() ?? throw new EndOfStreamException("server closed; got: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }
}
