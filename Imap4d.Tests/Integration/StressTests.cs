using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Many clients on one mailbox at once against the daemon (a process per session, as deployed),
/// each checked by a model of the mailbox (Stress/imapstress.py: complete lines, UIDs ascending
/// and never reused, keywords announced, EXISTS/EXPUNGE arithmetic, no NO it does not expect).
/// A few seconds by default; IMAP4D_STRESS_SECONDS and IMAP4D_STRESS_CLIENTS make it longer and
/// bigger. The seed is printed, and IMAP4D_STRESS_SEED repeats a run.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class StressTests(string type)
{
    public static string Script => Path.Combine(RepoPaths.Root, "Imap4d.Tests", "Stress", "imapstress.py");

    public static string Seconds => Environment.GetEnvironmentVariable("IMAP4D_STRESS_SECONDS") ?? "4";

    public static string Clients => Environment.GetEnvironmentVariable("IMAP4D_STRESS_CLIENTS") ?? "6";

    [Test]
    public void ManyClientsOnOneMailboxSeeAConsistentMailbox()
    {
        string dir = Directory.CreateTempSubdirectory($"imap4d-stress-{type}-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ed); // as root, sessions run as nobody and must reach the home
            int port = ServerProcess.FreePort();
            DemoDaemonTests.WriteDemo(dir, port, extra: "max-children 500;\n");
            string conf = Path.Combine(dir, "imap4d.conf");
            File.WriteAllText(conf, File.ReadAllText(conf)
                .Replace("single-process yes;", "backlog 128;") // a process per session: locks between processes
                .Replace("severity info;", "severity warning;")
                .Replace("mailbox-type mbox;", $"mailbox-type {type};")
                .Replace("mailbox-pattern \"$home/mail/INBOX\";", $"mailbox-pattern \"{type}://$home/mail/INBOX\";"));
            File.Delete(Path.Combine(dir, "home", "demo", "mail", "INBOX")); // made as {type} on first use
            using var server = ServerProcess.Start("--config-file=" + conf);
            server.WaitForPort(port);
            var (code, output) = Run(port, server.Process.Id, ["--user", "demo:demo"]);
            TestContext.Out.WriteLine(output);
            Assert.That(code, Is.Zero, output + "\n" + server.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs the driver against a server on <paramref name="port"/>; returns its exit code and report.</summary>
    public static (int Code, string Output) Run(int port, int serverPid, IEnumerable<string> extra)
    {
        var args = new List<string> { Script, "--port", port.ToString(), "--clients", Clients, "--seconds", Seconds, "--server-pid", serverPid.ToString(), "--sample", "1" };
        if (Environment.GetEnvironmentVariable("IMAP4D_STRESS_SEED") is { Length: > 0 } seed)
        {
            args.AddRange(["--seed", seed]);
        }

        args.AddRange(extra);
        double seconds = double.Parse(Seconds, System.Globalization.CultureInfo.InvariantCulture);
        return ExternalProgram.Run("python3", args, timeout: TimeSpan.FromSeconds(seconds * 3 + 180));
    }
}
