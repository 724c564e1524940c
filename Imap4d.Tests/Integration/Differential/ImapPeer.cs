using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>A preauthenticated IMAP server on the pipes of a child process, driven one command at a time.</summary>
internal sealed class ImapPeer : IDisposable
{
    private readonly Process _process;
    private readonly ImapResponseReader _reader;
    private readonly Stream _out;
    private readonly StringBuilder _stderr = new();
    private int _tag;

    public ImapPeer(string name, ProcessStartInfo info)
    {
        Name = name;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {name}");
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
        _out = _process.StandardInput.BaseStream;
        _reader = new ImapResponseReader(_process.StandardOutput.BaseStream);
        try
        {
            Greeting = _reader.Read();
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException)
        {
            _process.WaitForExit(5_000);
            throw new InvalidOperationException($"{name} did not greet ({e.Message}); stderr:\n{Stderr}", e);
        }

        if (!Greeting.Text.StartsWith("PREAUTH", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{name} greeted with \"* {Greeting.Text}\"; stderr:\n{Stderr}");
        }
    }

    public string Name { get; }

    public ImapResponse Greeting { get; }

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

    /// <summary>
    /// Sends one command; <paramref name="parts"/> are strings (sent as they are) and byte arrays
    /// (sent as synchronizing literals). Returns the untagged responses and the tagged status line.
    /// </summary>
    public (List<ImapResponse> Untagged, string Status) Command(params object[] parts)
    {
        string tag = "t" + (++_tag).ToString(CultureInfo.InvariantCulture);
        var untagged = new List<ImapResponse>();
        try
        {
            Write(tag + " ");
            foreach (object part in parts)
            {
                if (part is byte[] literal)
                {
                    Write($"{{{literal.Length}}}\r\n");
                    var go = ReadUntilContinuation(tag, untagged);
                    if (go is not null)
                    {
                        return (untagged, go);
                    }

                    _out.Write(literal);
                }
                else
                {
                    Write((string)part);
                }
            }

            Write("\r\n");
            while (true)
            {
                var response = _reader.Read();
                if (response.Tag == tag)
                {
                    return (untagged, response.Text);
                }

                untagged.Add(response);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new InvalidOperationException($"{Name}: {e.Message}; stderr:\n{Stderr}", e);
        }
    }

    private string? ReadUntilContinuation(string tag, List<ImapResponse> untagged)
    {
        while (true)
        {
            var response = _reader.Read();
            if (response.Tag == "+")
            {
                return null;
            }

            if (response.Tag == tag)
            {
                return response.Text;
            }

            untagged.Add(response);
        }
    }

    private void Write(string text)
    {
        _out.Write(Encoding.UTF8.GetBytes(text));
        _out.Flush();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    Command("LOGOUT");
                    _out.Close();
                }
                catch (InvalidOperationException)
                {
                }

                if (!_process.WaitForExit(5_000))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5_000);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
