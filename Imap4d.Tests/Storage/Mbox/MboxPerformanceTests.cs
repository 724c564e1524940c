using System.Diagnostics;
using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// A large generated mbox: first open (full parse), write-back, re-open from the index, an MDA
/// append (tail parse only), STORE. Timings go to the test output; only the way each step was
/// done is asserted. IMAP4D_MBOX_PERF_MESSAGES and IMAP4D_MBOX_PERF_BODY change the size
/// (100000 and 14000 make the 1.4 GB case).
/// </summary>
[TestFixture]
[NonParallelizable]
public class MboxPerformanceTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    private static void Generate(string path, int messages, int bodySize)
    {
        var line = new string('x', 70) + "\n";
        var body = new StringBuilder();
        while (body.Length < bodySize)
        {
            body.Append(line);
        }

        byte[] bodyBytes = Encoding.ASCII.GetBytes(body.ToString());
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (int i = 0; i < messages; i++)
        {
            output.Write(Encoding.ASCII.GetBytes(
                $"From sender{i}@example.org Tue Mar  5 09:20:30 2024\nFrom: sender{i}@example.org\nTo: user@example.org\n"
                + $"Subject: message {i}\nDate: Tue, 5 Mar 2024 10:20:30 +0100\nMessage-ID: <{i}@example.org>\n"
                + (i % 3 == 0 ? "Status: RO\n" : "") + "\n"));
            output.Write(bodyBytes);
            output.Write("\n"u8);
        }
    }

    private static TimeSpan Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    }

    private static void Report(string step, TimeSpan elapsed) =>
        TestContext.Out.WriteLine($"{step,-48} {elapsed.TotalMilliseconds,10:F0} ms");

    [Test]
    public void LargeMailboxOpensReopensAndGrowsCheaply()
    {
        int count = Setting("IMAP4D_MBOX_PERF_MESSAGES", 20_000);
        int bodySize = Setting("IMAP4D_MBOX_PERF_BODY", 4_000);
        string path = _fixture.NewPath("big");
        Report("generate", Time(() => Generate(path, count, bodySize)));
        TestContext.Out.WriteLine($"{count} messages, {new FileInfo(path).Length / 1048576.0:F1} MiB");

        IMailbox? box = null;
        Report("first open (full parse, index written)", Time(() => box = _fixture.Driver.Open(path, "big", readOnly: false)));
        Assert.That(box!.Messages, Has.Count.EqualTo(count));
        Assert.That(((MboxMailbox)box).State.LastRefresh, Is.EqualTo("full"));
        Report("STORE one flag (index saved)", Time(() => box.Store([5], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged))));
        Report("sync, nothing changed", Time(() => box.Sync()));
        Report("fetch one message", Time(() => MboxTestSupport.Read(box, (uint)count)));
        Report("close (write X-UID/Status back: full rewrite)", Time(() => box.Dispose()));

        IMailbox? again = null;
        Report("re-open (index only)", Time(() => again = _fixture.Driver.Open(path, "big", readOnly: false)));
        Assert.That(((MboxMailbox)again!).State.LastRefresh, Is.AnyOf("index", "unchanged"));
        Assert.That(again.Messages, Has.Count.EqualTo(count));
        Assert.That(again.Messages[4].Flags.Has(MessageFlags.Flagged), Is.True);

        File.AppendAllText(path, "From mda@example.org Fri Apr  5 12:00:00 2024\nSubject: one more\n\nnew\n\n");
        MailboxChanges? changes = null;
        Report("MDA appended one: sync (tail parse)", Time(() => changes = again.Sync()));
        Assert.That(((MboxMailbox)again).State.LastRefresh, Is.EqualTo("tail"));
        Assert.That(changes!.Added, Is.EqualTo(new[] { (uint)count + 1 }));
        Report("APPEND one", Time(() => MboxTestSupport.Append(again, "appended")));
        Report("sync after APPEND (tail parse)", Time(() => again.Sync()));
        Assert.That(again.Messages, Has.Count.EqualTo(count + 2));
        Report("STATUS", Time(() => _fixture.Driver.GetStatus(path)));
        Report("close (rewrite for the new messages' headers)", Time(() => again.Dispose()));
        Report("re-open after rewrite", Time(() => _fixture.Driver.Open(path, "big", readOnly: true).Dispose()));
    }
}
