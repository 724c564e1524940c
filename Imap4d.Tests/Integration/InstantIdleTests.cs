using System.Diagnostics;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// IDLE wakes on a change at once (inotify), for each storage format: changes by another
/// session (its own process) and by foreign programs writing the files. The bounds asserted are
/// generous (2 s; the poll fallback needs 0.5 s): the measured latency is printed, and
/// the benchmark harness measures the median. The last fixture runs with inotify switched off
/// (IMAP4D_INOTIFY=off) to prove the polling fallback still delivers.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox", true)]
[TestFixture("maildir", true)]
[TestFixture("mh", true)]
[TestFixture("mbox", false)]
[TestFixture("maildir", false)]
public class InstantIdleTests(string type, bool inotify)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private FormatDaemon _daemon = null!;
    private string _dir = null!;
    private string _mail = null!;
    private int _port;

    [OneTimeSetUp]
    public void Start()
    {
        var environment = new Dictionary<string, string>();
        if (!inotify)
        {
            environment["IMAP4D_INOTIFY"] = "off";
        }

        // Each session in its own process, as in production: the watcher must see another process's writes.
        _daemon = FormatDaemon.Start(type, "idle", ownProcesses: true, environment);
        (_dir, _mail, _port) = (_daemon.Dir, _daemon.Mail, _daemon.Port);
    }

    [OneTimeTearDown]
    public void Stop() => _daemon.Dispose();

    [Test]
    public void AnotherSessionsAppendStoreAndExpungeWakeIdle()
    {
        string box = "Other" + Guid.NewGuid().ToString("N")[..6];
        using var idler = Login();
        using var writer = Login();
        Assert.That(writer.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(idler.Command("s", "SELECT " + box)[^1], Does.StartWith("s OK"));
        StartIdle(idler);

        Append(writer, box, "first");
        Measure(idler, "APPEND", line => line == "* 1 EXISTS");

        Assert.That(writer.Command("w", "SELECT " + box)[^1], Does.StartWith("w OK"));
        writer.Command("f", "STORE 1 +FLAGS (\\Flagged)");
        Measure(idler, "STORE", line => line.StartsWith("* 1 FETCH", StringComparison.Ordinal) && line.Contains("\\Flagged"));

        writer.Command("d", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        Assert.That(writer.Command("e", "EXPUNGE")[^1], Does.StartWith("e OK"));
        Measure(idler, "EXPUNGE", line => line == "* 1 EXPUNGE");

        StopIdle(idler);
    }

    [Test]
    public void ForeignProgramsWakeIdle()
    {
        string box = "Foreign" + Guid.NewGuid().ToString("N")[..6];
        using var idler = Login();
        Assert.That(idler.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(idler.Command("s", "SELECT " + box)[^1], Does.StartWith("s OK"));
        StartIdle(idler);
        string path = Path.Combine(_mail, box);

        Deliver(path, "Subject: foreign one\n\nWritten behind the server's back.\n");
        Measure(idler, "foreign delivery", line => line == "* 1 EXISTS");

        if (type == "maildir")
        {
            // mutt marks the message flagged by renaming its file in cur/.
            var deadline = DateTime.UtcNow + Bound;
            string? file = null;
            while (file is null && DateTime.UtcNow < deadline)
            {
                file = Directory.GetFiles(Path.Combine(path, "cur")).FirstOrDefault();
                Thread.Sleep(10);
            }

            Assert.That(file, Is.Not.Null, "the session moved the new message to cur/");
            string renamed = file!.Contains(":2,", StringComparison.Ordinal) ? file + "F" : file + ":2,F";
            File.Move(file, renamed);
            Measure(idler, "maildir rename", line => line.StartsWith("* 1 FETCH", StringComparison.Ordinal) && line.Contains("\\Flagged"));
        }

        Deliver(path, "Subject: foreign two\n\nAnother one.\n");
        Measure(idler, "second foreign delivery", line => line == "* 2 EXISTS");
        StopIdle(idler);
    }

    private TcpLineClient Login()
    {
        var client = new TcpLineClient(_port);
        client.ReadLine();
        Assert.That(client.Command("a", "LOGIN demo demo")[^1], Does.StartWith("a OK"));
        return client;
    }

    private static void StartIdle(TcpLineClient client)
    {
        client.Send("i IDLE\r\n");
        Assert.That(client.ReadLine(), Does.StartWith("+ "));
    }

    private static void StopIdle(TcpLineClient client)
    {
        client.Send("DONE\r\n");
        string? line;
        while ((line = client.ReadLine()) is not null && !line.StartsWith("i ", StringComparison.Ordinal))
        {
        }

        Assert.That(line, Does.StartWith("i OK"));
    }

    private static void Append(TcpLineClient client, string box, string subject)
    {
        string message = $"Subject: {subject}\r\n\r\nHello.\r\n";
        var lines = client.Command("p", $"APPEND {box} {{{message.Length}+}}\r\n{message}");
        Assert.That(lines[^1], Does.StartWith("p OK"));
    }

    private static void Measure(TcpLineClient client, string what, Func<string, bool> expected) =>
        FormatDaemon.ReadUntilWithin(client, Bound, what, expected);

    private void Deliver(string path, string message) => FormatDaemon.DeliverForeign(type, path, message);
}
