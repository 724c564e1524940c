using System.Diagnostics;
using Mono.Unix.Native;
using Imap4d.Tests.Integration;

namespace Imap4d.Tests.Support;

/// <summary>
/// The demo daemon with the demo user's INBOX in one mailbox format (mbox, maildir, mh), made on
/// first use; for tests that talk to several sessions at once and change the mail underneath.
/// </summary>
public sealed class FormatDaemon : IDisposable
{
    private readonly ServerProcess _server;

    private FormatDaemon(string dir, int port, ServerProcess server)
    {
        Dir = dir;
        Port = port;
        Mail = Path.Combine(dir, "home", "demo", "mail");
        _server = server;
    }

    /// <summary>The daemon's own directory (configuration, homes).</summary>
    public string Dir { get; }

    public int Port { get; }

    /// <summary>The demo user's mail directory.</summary>
    public string Mail { get; }

    /// <param name="label">Names the temporary directory.</param>
    /// <param name="ownProcesses">As root, each session in its own process, as in production.</param>
    public static FormatDaemon Start(string type, string label, bool ownProcesses = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-{label}-{type}-{Guid.NewGuid():N}");
        int port = ServerProcess.FreePort();
        DemoDaemonTests.WriteDemo(dir, port, extra: "");
        string conf = Path.Combine(dir, "imap4d.conf");
        string text = File.ReadAllText(conf)
            .Replace("mailbox-type mbox;", $"mailbox-type {type};")
            .Replace("mailbox-pattern \"$home/mail/INBOX\";", $"mailbox-pattern \"{type}://$home/mail/INBOX\";");
        if (ownProcesses && Syscall.geteuid() == 0)
        {
            text = text.Replace("single-process yes;", "single-process no;");
        }

        File.WriteAllText(conf, text);
        File.Delete(Path.Combine(dir, "home", "demo", "mail", "INBOX")); // the demo mbox; INBOX is made as {type} on first use
        var server = ServerProcess.Start(environment ?? new Dictionary<string, string>(), "--config-file=" + conf);
        server.WaitForPort(port);
        return new FormatDaemon(dir, port, server);
    }

    /// <summary>Delivers as a foreign program would: mbox append, maildir tmp/ then new/, MH next number.</summary>
    public static void DeliverForeign(string type, string path, string message)
    {
        switch (type)
        {
            case "mbox":
                File.AppendAllText(path, "From foreign@example.org Mon Dec  7 10:00:00 2026\n" + message + "\n");
                break;
            case "maildir":
                string name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Guid.NewGuid():N}.test";
                File.WriteAllText(Path.Combine(path, "tmp", name), message);
                File.Move(Path.Combine(path, "tmp", name), Path.Combine(path, "new", name));
                break;
            default:
                int next = Directory.GetFiles(path).Select(Path.GetFileName).Select(n => int.TryParse(n, out int k) ? k : 0).DefaultIfEmpty(0).Max() + 1;
                File.WriteAllText(Path.Combine(path, next.ToString()), message);
                break;
        }
    }

    /// <summary>
    /// Reads <paramref name="client"/> until a line matches <paramref name="expected"/>; asserts it came
    /// within <paramref name="bound"/> (a generous bound, never a target) and prints the time.
    /// </summary>
    public static void ReadUntilWithin(TcpLineClient client, TimeSpan bound, string what, Func<string, bool> expected)
    {
        var clock = Stopwatch.StartNew();
        var seen = new List<string>();
        while (true)
        {
            string line = client.ReadLine() ?? throw new EndOfStreamException(string.Join(" | ", seen));
            seen.Add(line);
            if (expected(line))
            {
                break;
            }
        }

        TestContext.Out.WriteLine($"{what}: seen after {clock.Elapsed.TotalMilliseconds:F1} ms");
        Assert.That(clock.Elapsed, Is.LessThan(bound), $"{what}: {string.Join(" | ", seen)}");
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
