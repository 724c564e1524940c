using System.Text;

namespace Imap4d.Tests.Support;

/// <summary>
/// A preauthenticated session of the real binary over its stdin and stdout
/// (<c>--test --preauth --config-file=F</c>): one command at a time, each of which must end in
/// a tagged OK; disposing logs out and ends the process.
/// </summary>
public class PreauthSession : IDisposable
{
    private readonly ServerProcess _server;
    private readonly Stream _input;
    private readonly StreamReader _output;
    private int _tag;

    public PreauthSession(string config)
    {
        _server = ServerProcess.Start("--test", "--preauth", "--config-file=" + config);
        _input = _server.Process.StandardInput.BaseStream;
        _output = new StreamReader(_server.Process.StandardOutput.BaseStream, Encoding.Latin1);
        _output.ReadLine();
    }

    /// <summary>Sends one command and returns every line up to and including its tagged OK.</summary>
    public List<string> Command(string command)
    {
        string tag = "t" + ++_tag;
        _input.Write(Encoding.ASCII.GetBytes(tag + " " + command + "\r\n"));
        _input.Flush();
        var lines = new List<string>();
        string? line;
        while ((line = _output.ReadLine()) is not null)
        {
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                Assert.That(line, Does.StartWith(tag + " OK"), string.Join("\n", lines));
                return lines;
            }
        }

        throw new EndOfStreamException(string.Join("\n", lines));
    }

    /// <summary>APPENDs a small message with this subject (a non-synchronizing literal).</summary>
    public void Append(string mailbox, string subject)
    {
        string message = $"Subject: {subject}\r\n\r\nbody\r\n";
        Command($"APPEND {mailbox} {{{message.Length}+}}\r\n{message}");
    }

    public void Dispose()
    {
        try
        {
            Command("LOGOUT");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or AssertionException)
        {
        }

        _server.Dispose();
        GC.SuppressFinalize(this);
    }
}
