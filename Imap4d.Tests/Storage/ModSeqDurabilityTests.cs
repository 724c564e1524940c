using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.ModSeq;
using Imap4d.Storage.State;
using Imap4d.Tests.Storage.Maildir;
using Imap4d.Tests.Storage.Mbox;
using Imap4d.Tests.Storage.Mh;

namespace Imap4d.Tests.Storage;

/// <summary>
/// MODSEQs never go backwards under one UIDVALIDITY (RFC 7162 §3.1): the index is a cache, so when
/// it is lost a rebuilt one starts above the durable ceiling beside it, and with that gone too,
/// above the clock's floor; what vanished meanwhile is then unknown (the client gets the superset).
/// </summary>
public class ModSeqDurabilityTests
{
    private static TempDirectoryFixture Fixture(string type) => type switch
    {
        "mbox" => new MboxDriverFixture(),
        "maildir" => new MaildirDriverFixture(),
        _ => new MhDriverFixture(),
    };

    private static string IndexOf(string type, IMailboxDriver driver, string path) => type switch
    {
        "mbox" => ((Imap4d.Storage.Mbox.MboxDriver)driver).IndexPathFor(path),
        "maildir" => MaildirMailbox.IndexPathFor(path, UserStateDirectory.FromEnvironment()),
        _ => Path.Combine(path, ".imap4d", "index"),
    };

    private static (uint Validity, ulong Highest) Fill(IMailboxDriver driver, string path)
    {
        using var box = driver.Open(path, "box", readOnly: false);
        for (int i = 1; i <= 4; i++)
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: {i}\r\n\r\nbody {i}\r\n")), FlagSet.Empty, DateTimeOffset.UnixEpoch.AddDays(i));
        }

        box.Sync();
        box.Store([1, 2], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        box.Expunge();
        box.Checkpoint();
        return (box.UidValidity, box.HighestModSeq);
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void LosingTheIndexNeverLowersModSeqs(string type)
    {
        using var fixture = Fixture(type);
        string path = fixture.NewPath("box");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        var (validity, highest) = Fill(fixture.Driver, path);
        string index = IndexOf(type, fixture.Driver, path);
        Assert.That(File.Exists(index), Is.True, index);
        Assert.That(File.Exists(index + ".modseq"), Is.True);
        File.Delete(index);

        using var box = fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(validity));
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 4 }));
        Assert.That(box.Messages.All(m => m.ModSeq > highest), Is.True, "rebuilt MODSEQs start above every earlier one");
        Assert.That(box.HighestModSeq, Is.GreaterThan(highest));
        Assert.That(box.VanishedSince(highest - 1), Is.Null, "what vanished before the rebuild is unknown");
        var changed = box.Store([4], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
        Assert.That(changed[0].ModSeq, Is.GreaterThan(box.Messages.Where(m => m.Uid != 4).Max(m => m.ModSeq)));
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void LosingIndexAndCounterFallsBackToTheClock(string type)
    {
        using var fixture = Fixture(type);
        string path = fixture.NewPath("box");
        fixture.Driver.Create(path, (UnixFileMode)0x180);
        var (validity, _) = Fill(fixture.Driver, path);
        string index = IndexOf(type, fixture.Driver, path);
        ulong floor = ModSeqCounter.TimeFloor();
        File.Delete(index);
        File.Delete(index + ".modseq");

        using var box = fixture.Driver.Open(path, "box", readOnly: false);
        Assert.That(box.UidValidity, Is.EqualTo(validity));
        Assert.That(box.Messages.All(m => m.ModSeq > floor), Is.True);
    }

    [Test]
    public void VanishedLogAnswersExactlyAndCompactsToASuperset()
    {
        string dir = Path.Combine(Path.GetTempPath(), "imap4d-vanished-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var log = new VanishedLog(Path.Combine(dir, "v"));
            Assert.That(log.Since(7, 1), Is.Null, "no record yet");
            for (uint i = 1; i <= VanishedLog.MaxEntries + 10; i++)
            {
                log.Record(7, 100 + i, [i * 2]);
            }

            Assert.That(log.Since(7, 100 + VanishedLog.MaxEntries + 8)?.ToString(), Is.EqualTo("2018,2020"));
            var old = log.Since(7, 105)!;
            Assert.That(old.Contains(12), Is.True, "what vanished after the MODSEQ is there");
            Assert.That(old.Contains(10), Is.True, "merged groups may also name a little more");
            Assert.That(log.Since(7, 99), Is.Null, "the record begins at the first expunge");
            Assert.That(log.Since(8, 105), Is.Null, "another UIDVALIDITY");
            log.HistoryLost(7, 5000);
            Assert.That(log.Since(7, 4999), Is.Null);
            Assert.That(log.Since(7, 5000)!.IsEmpty, Is.True);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
