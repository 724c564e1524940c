using System.Diagnostics;
using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>A big maildir opens from the index without reading messages. Timings are printed, not asserted tightly.</summary>
public class MaildirScaleTests
{
    private const int Count = 20_000;

    [Test]
    public void TwentyThousandMessagesOpenAndReopenFromTheIndex()
    {
        using var fixture = new MaildirDriverFixture();
        var driver = new MaildirDriver();
        string path = fixture.NewPath("big");
        driver.Create(path, (UnixFileMode)0x180);
        var watch = Stopwatch.StartNew();
        var baseTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        for (int i = 0; i < Count; i++)
        {
            byte[] body = Encoding.ASCII.GetBytes($"From: a@example.org\nSubject: message {i}\n\nBody {i}\n");
            long lines = body.Count(b => b == '\n');
            // Most names carry Dovecot's ,S= and ,W=; every tenth does not and must be read once.
            string name = i % 10 == 0
                ? $"{1_700_000_000 + i}.M{i}P1Q1.host:2,{(i % 3 == 0 ? "S" : "")}"
                : $"{1_700_000_000 + i}.M{i}P1Q1.host,S={body.Length},W={body.Length + lines}:2,{(i % 3 == 0 ? "S" : "")}";
            string file = Path.Combine(path, "cur", name);
            File.WriteAllBytes(file, body);
            File.SetLastWriteTimeUtc(file, baseTime.UtcDateTime.AddSeconds(i));
        }

        TestContext.Out.WriteLine($"wrote {Count} files: {watch.ElapsedMilliseconds} ms");

        watch.Restart();
        using (var box = driver.Open(path, "big", readOnly: false))
        {
            TestContext.Out.WriteLine($"first open (stat every file, assign UIDs, write list and index): {watch.ElapsedMilliseconds} ms");
            Assert.That(box.Messages, Has.Count.EqualTo(Count));
            Assert.That(box.Messages[^1].Uid, Is.EqualTo((uint)Count));
            Assert.That(box.RecentUids, Has.Count.EqualTo(Count));
        }

        // Directory stamps younger than a second are not trusted; let them age once.
        Thread.Sleep(1100);
        watch.Restart();
        using (var box = driver.Open(path, "big", readOnly: false))
        {
            TestContext.Out.WriteLine($"second open (one readdir, no stat): {watch.ElapsedMilliseconds} ms");
            Assert.That(box.Messages, Has.Count.EqualTo(Count));
        }

        watch.Restart();
        using (var box = driver.Open(path, "big", readOnly: false))
        {
            TestContext.Out.WriteLine($"third open (index only): {watch.ElapsedMilliseconds} ms");
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(Enumerable.Range(1, Count).Select(i => (uint)i)));
            Assert.That(box.RecentUids, Is.Empty);
            Assert.That(box.Messages.Count(m => m.Flags.Has(MessageFlags.Seen)), Is.EqualTo((Count + 2) / 3));
            var m = box.Messages[12_345];
            Assert.That(m.InternalDate, Is.EqualTo(baseTime.AddSeconds(12_345)));
            using var content = box.OpenContent(m.Uid);
            string text = new StreamReader(content).ReadToEnd();
            Assert.That(text, Is.EqualTo("From: a@example.org\r\nSubject: message 12345\r\n\r\nBody 12345\r\n"));
            Assert.That(m.Size, Is.EqualTo(text.Length));
            Assert.That(box.Messages[10_000].Size, Is.EqualTo("From: a@example.org\r\nSubject: message 10000\r\n\r\nBody 10000\r\n".Length),
                "size computed by reading, then cached");

            watch.Restart();
            box.Sync();
            TestContext.Out.WriteLine($"idle sync: {watch.Elapsed.TotalMilliseconds:F2} ms");

            watch.Restart();
            for (int i = 0; i < 1000; i++)
            {
                box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: appended {i}\r\n\r\nx\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);
            }

            TestContext.Out.WriteLine($"1000 appends: {watch.ElapsedMilliseconds} ms");
            watch.Restart();
            var changes = box.Sync();
            TestContext.Out.WriteLine($"sync after appends (readdir): {watch.ElapsedMilliseconds} ms");
            Assert.That(changes.Added, Has.Count.EqualTo(1000));

            watch.Restart();
            box.Store(Enumerable.Range(1, 1000).Select(i => (uint)i).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
            TestContext.Out.WriteLine($"STORE on 1000 messages (renames): {watch.ElapsedMilliseconds} ms");
        }

        watch.Restart();
        var status = driver.GetStatus(path);
        TestContext.Out.WriteLine($"STATUS: {watch.ElapsedMilliseconds} ms");
        Assert.That(status.Messages, Is.EqualTo((uint)Count + 1000));
    }
}
