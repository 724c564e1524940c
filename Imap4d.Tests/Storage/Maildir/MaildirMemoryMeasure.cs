using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// Not a test: how much managed memory one more open of a big maildir holds (run by hand with
/// IMAP4D_MEASURE_MAILDIR=path of a private maildir; the index is written there).
/// </summary>
[Explicit]
public class MaildirMemoryMeasure
{
    [Test]
    public void BytesPerOpenMailbox()
    {
        string? path = Environment.GetEnvironmentVariable("IMAP4D_MEASURE_MAILDIR");
        if (path is null)
        {
            Assert.Ignore("IMAP4D_MEASURE_MAILDIR not set");
            return;
        }

        var driver = new MaildirDriver();
        using (var warm = driver.Open(path, "m", readOnly: false))
        {
            _ = warm.Messages.Count;
        }

        Thread.Sleep(1100);
        using (var warm = driver.Open(path, "m", readOnly: false))
        {
            _ = warm.Messages.Count;
        }

        var boxes = new List<IMailbox>();
        for (int i = 0; i < 4; i++)
        {
            long before = GC.GetTotalMemory(true);
            var box = driver.Open(path, "m", readOnly: false);
            boxes.Add(box);
            _ = box.Messages[^1].Uid;
            long after = GC.GetTotalMemory(true);
            TestContext.Out.WriteLine($"open {i + 1}: {box.Messages.Count} messages, +{(after - before) / 1024.0 / 1024.0:F2} MB, {(after - before) / (double)box.Messages.Count:F0} B/message");
        }

        foreach (var box in boxes)
        {
            box.Dispose();
        }
    }
}

[Explicit]
public class MaildirExpungeMeasure
{
    [Test]
    public void ExpungeTenPercent()
    {
        string? path = Environment.GetEnvironmentVariable("IMAP4D_MEASURE_MAILDIR");
        if (path is null)
        {
            Assert.Ignore("IMAP4D_MEASURE_MAILDIR not set");
            return;
        }

        var driver = new MaildirDriver();
        using var box = driver.Open(path, "m", readOnly: false);
        var uids = new List<uint>();
        for (int i = 9; i < box.Messages.Count; i += 10)
        {
            uids.Add(box.Messages[i].Uid);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < uids.Count; i += 250)
        {
            box.Store(uids.Skip(i).Take(250).ToList(), FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        }

        TestContext.Out.WriteLine($"store: {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var gone = box.Expunge();
        TestContext.Out.WriteLine($"expunge {gone.Count}: {watch.ElapsedMilliseconds} ms, cpu {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds} ms");
        watch.Restart();
        box.Sync();
        TestContext.Out.WriteLine($"sync: {watch.ElapsedMilliseconds} ms");
    }
}
