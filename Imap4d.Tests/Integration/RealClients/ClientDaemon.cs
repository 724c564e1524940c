using System.Diagnostics;
using System.Text;
using Imap4d.Storage;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// A fresh imap4d for one test: the demo configuration of `make run` (virtual user demo/demo,
/// single process) on a free loopback port with a temporary home, INBOX and the personal
/// namespace in the given format (mbox, maildir or mh), and the protocol transcript on stderr.
/// </summary>
public sealed class ClientDaemon : IDisposable
{
    private ClientDaemon(string type, string dir, int port, ServerProcess server)
    {
        Type = type;
        Dir = dir;
        Port = port;
        Server = server;
    }

    /// <summary>mbox, maildir or mh.</summary>
    public string Type { get; }

    /// <summary>The temporary directory holding configuration, users file and home.</summary>
    public string Dir { get; }

    public int Port { get; }

    public ServerProcess Server { get; }

    /// <summary>The personal namespace's directory ($home/mail).</summary>
    public string Mail => Path.Combine(Dir, "home", "demo", "mail");

    /// <summary>A scratch directory for the client's files (its own HOME, rc files, local stores).</summary>
    public string Scratch => Path.Combine(Dir, "client");

    /// <summary>The protocol transcript and log the daemon wrote so far.</summary>
    public string Transcript => Server.Stderr;

    /// <summary>
    /// The transcript once it contains <paramref name="text"/> (or after 5 s): the daemon's stderr
    /// is read asynchronously, so its last lines may arrive just after the client has exited.
    /// </summary>
    public string TranscriptWith(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        string transcript = Transcript;
        while (!transcript.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            transcript = Transcript;
        }

        return transcript;
    }

    /// <summary>
    /// Starts the daemon. With <paramref name="demoInbox"/> the mbox INBOX of etc/demo is kept
    /// (mbox only); otherwise INBOX starts missing and is created in <paramref name="type"/> format on first use.
    /// </summary>
    /// <param name="extra">More configuration statements.</param>
    public static ClientDaemon Start(string type, bool demoInbox = false, string extra = "")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-clients-{type}-{Guid.NewGuid():N}");
        int port = ServerProcess.FreePort();
        DemoDaemonTests.WriteDemo(dir, port, extra: "transcript yes;\n" + extra);
        string conf = Path.Combine(dir, "imap4d.conf");
        if (type != "mbox")
        {
            File.WriteAllText(conf, File.ReadAllText(conf)
                .Replace("mailbox-type mbox;", $"mailbox-type {type};")
                .Replace("mailbox-pattern \"$home/mail/INBOX\";", $"mailbox-pattern \"{type}://$home/mail/INBOX\";"));
        }

        if (type != "mbox" || !demoInbox)
        {
            File.Delete(Path.Combine(dir, "home", "demo", "mail", "INBOX"));
        }

        Directory.CreateDirectory(Path.Combine(dir, "client"));
        var server = ServerProcess.Start("--config-file=" + conf);
        try
        {
            server.WaitForPort(port);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return new ClientDaemon(type, dir, port, server);
    }

    /// <summary>
    /// Reads a mailbox straight from its files through the storage drivers (read-only), as the
    /// server would find it: every message with UID, flags and client-view content (CRLF).
    /// </summary>
    public IReadOnlyList<StoredMessage> ReadMailbox(string name)
    {
        string path = name.Equals("INBOX", StringComparison.OrdinalIgnoreCase)
            ? Path.Combine(Mail, "INBOX")
            : Path.Combine(Mail, name.Replace('/', Path.DirectorySeparatorChar));
        var driver = MailDrivers.CreateDefault().FirstOrDefault(d => d.Detect(path))
            ?? throw new AssertionException($"{path} is no mailbox of any format");
        Assert.That(driver.Type, Is.EqualTo(Type), $"{name} is stored as {driver.Type}");
        using var box = driver.Open(path, name, readOnly: true);
        var result = new List<StoredMessage>();
        foreach (var info in box.Messages)
        {
            using var content = box.OpenContent(info.Uid);
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            result.Add(new StoredMessage(info.Uid, info.Flags, copy.ToArray()));
        }

        return result;
    }

    /// <summary>Appends messages (as given, LF or CRLF) through a python3 imaplib session; creates the mailbox first.</summary>
    public void Seed(string mailbox, params (string Flags, string Message)[] messages)
    {
        var script = new StringBuilder();
        script.AppendLine("import imaplib, sys");
        script.AppendLine($"c = imaplib.IMAP4('127.0.0.1', {Port})");
        script.AppendLine("c.login('demo', 'demo')");
        script.AppendLine($"c.create({PyString(mailbox)})");
        foreach (var (flags, message) in messages)
        {
            script.AppendLine($"typ, data = c.append({PyString(mailbox)}, {(flags.Length == 0 ? "None" : PyString(flags))}, None, {PyBytes(message)})");
            script.AppendLine("assert typ == 'OK', data");
        }

        script.AppendLine("c.logout()");
        ClientProgram.Python(script.ToString());
    }

    /// <summary>
    /// INBOX with the three messages of etc/demo/INBOX (plain, multipart/alternative with an
    /// encoded subject, multipart/mixed with an attachment): kept as is for mbox, appended
    /// otherwise. Returns the messages as the server now holds them.
    /// </summary>
    public IReadOnlyList<StoredMessage> SeedDemoInbox()
    {
        if (Type != "mbox")
        {
            string mbox = File.ReadAllText(Path.Combine(RepoPaths.Root, "etc", "demo", "INBOX"));
            var messages = System.Text.RegularExpressions.Regex.Split(mbox, "^From [^\n]*\n", System.Text.RegularExpressions.RegexOptions.Multiline)
                .Where(m => m.Length > 0)
                .Select(m => (Flags: "", Message: m.EndsWith("\n\n", StringComparison.Ordinal) ? m[..^1] : m))
                .ToArray();
            Seed("INBOX", messages);
        }

        var stored = ReadMailbox("INBOX");
        Assert.That(stored, Has.Count.EqualTo(3));
        return stored;
    }

    /// <summary>A Python string literal (for names and flags in scripts).</summary>
    public static string PyString(string text) =>
        "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>A Python bytes literal with every byte escaped as needed.</summary>
    public static string PyBytes(string text)
    {
        var literal = new StringBuilder("b'");
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            literal.Append(b is >= 0x20 and < 0x7f && b != '\'' && b != '\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return literal.Append('\'').ToString();
    }

    public void Dispose()
    {
        Server.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One message as the server holds it.</summary>
public sealed record StoredMessage(uint Uid, FlagSet Flags, byte[] Content)
{
    public string Text => Encoding.UTF8.GetString(Content);

    public string Subject => Text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Subject: ", StringComparison.OrdinalIgnoreCase))?[9..] ?? "";
}

/// <summary>Runs client programs with a time limit; a program that is not installed ignores the test.</summary>
public static class ClientProgram
{
    /// <summary>Runs a program to completion (killing its process tree after <paramref name="timeout"/>).</summary>
    public static (int Code, string Stdout, string Stderr) Run(
        string program,
        IEnumerable<string> args,
        TimeSpan? timeout = null,
        IDictionary<string, string>? environment = null,
        string? stdin = null,
        string? workingDirectory = null)
    {
        string path = Require(program);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                process.StandardInput.Write(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program did not read its input.
        }

        var limit = timeout ?? TimeSpan.FromSeconds(20);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5_000);
            Assert.Fail($"{program} did not finish within {limit.TotalSeconds} s and was killed.\nstdout: {Tail(stdout)}\nstderr: {Tail(stderr)}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a python3 script; fails the test unless it exits 0; returns stdout.</summary>
    public static string Python(string script, TimeSpan? timeout = null)
    {
        var (code, stdout, stderr) = Run("python3", ["-c", script], timeout);
        Assert.That(code, Is.EqualTo(0), $"python3 failed:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>The program's path; ignores the test when it is not installed.</summary>
    public static string Require(string program)
    {
        string? path = RepoPaths.FindProgram(program);
        if (path is null)
        {
            Assert.Ignore($"{program} is not installed");
        }

        return path!;
    }

    private static string Tail(Task<string> output)
    {
        if (!output.Wait(2_000))
        {
            return "(unavailable)";
        }

        string text = output.Result;
        return text.Length > 4000 ? text[^4000..] : text;
    }
}
