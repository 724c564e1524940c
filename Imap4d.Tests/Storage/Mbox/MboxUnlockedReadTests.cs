using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Locking;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// Message reads that skip the mailbox lock when the file is provably the one the index
/// describes (MboxState.TryReadClientViewUnlocked). The settle time is lowered so that files
/// written by the test qualify.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MboxUnlockedReadTests
{
    private MboxDriverFixture _fixture = null!;
    private long _savedSettle;

    [SetUp]
    public void SetUp()
    {
        _fixture = new MboxDriverFixture();
        _savedSettle = MboxState.SettledNs;
        MboxState.SettledNs = 50_000_000L; // 50 ms: many clock ticks, short enough for a test
    }

    [TearDown]
    public void TearDown()
    {
        MboxState.SettledNs = _savedSettle;
        _fixture.Dispose();
    }

    private static MboxState StateOf(IMailbox box) => ((MboxMailbox)box).State;

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private static byte[] Locked(IMailbox box, uint uid, bool headerOnly)
    {
        var state = StateOf(box);
        using var held = state.Lock();
        state.Refresh(held, save: false);
        return state.ReadClientView(held, state.Index[state.FindRecord(uid)], headerOnly);
    }

    private static void Settle() => Thread.Sleep(120);

    [TestCase("mutt.mbox")]
    [TestCase("dovecot.mbox")]
    [TestCase("gnu-imap4d.mbox")]
    [TestCase("uw-pseudo.mbox")]
    [TestCase("source.mbox")]
    public void UnlockedReadsGiveWhatLockedReadsGive(string fixture)
    {
        string path = MboxTestSupport.CopyFixture(_fixture, fixture);
        using (var first = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            // Leave the file as the index describes it (UIDs written back), then let it settle.
        }

        Settle();
        using var box = _fixture.Driver.Open(path, "box", readOnly: true);
        var state = StateOf(box);
        Assert.That(box.Messages, Is.Not.Empty);
        foreach (var message in box.Messages)
        {
            long before = state.UnlockedReads;
            byte[] content = ReadAll(box.OpenContent(message.Uid));
            byte[] header = ReadAll(box.OpenHeader(message.Uid));
            Assert.That(state.UnlockedReads, Is.EqualTo(before + 2), $"message {message.Uid} was read without the lock");
            Assert.That(content, Is.EqualTo(Locked(box, message.Uid, headerOnly: false)));
            Assert.That(header, Is.EqualTo(Locked(box, message.Uid, headerOnly: true)));
            Assert.That(content.Length, Is.EqualTo(message.Size));
            Assert.That(content.AsSpan().StartsWith(header), Is.True, "the header is the start of the message");
            string text = Encoding.Latin1.GetString(header);
            Assert.That(text.EndsWith("\r\n\r\n", StringComparison.Ordinal) || header.Length == content.Length, Is.True,
                $"message {message.Uid}: the header ends with its empty line");
        }
    }

    [Test]
    public void ReadDoesNotWaitForAnotherProgramsDotLock()
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using (var writer = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            MboxTestSupport.Append(writer, "one");
        }

        Settle();
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        using (File.Open(path + ".lock", FileMode.CreateNew))
        {
            var started = DateTime.UtcNow;
            Assert.That(MboxTestSupport.Read(box, 1), Does.Contain("Subject: one\r\n"));
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(1)));
        }

        File.Delete(path + ".lock");
    }

    [Test]
    public void InPlaceRewriteByAnotherProgramIsNeverReadWithoutTheLock()
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using (var writer = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            MboxTestSupport.Append(writer, "AAAA");
            MboxTestSupport.Append(writer, "BBBB");
        }

        Settle();
        using var box = _fixture.Driver.Open(path, "box", readOnly: false);
        var state = StateOf(box);
        Assert.That(MboxTestSupport.Read(box, 1), Does.Contain("Subject: AAAA"));
        long unlocked = state.UnlockedReads;
        Assert.That(unlocked, Is.GreaterThan(0));

        // A mail reader rewriting the file in place (same size, same inode) under its own lock.
        string text = File.ReadAllText(path, Encoding.Latin1);
        using (var lockFile = MailboxFileLock.Acquire(path, LockingOptions.Default))
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Write(Encoding.Latin1.GetBytes(text.Replace("BBBB", "CCCC")));
        }

        Assert.That(MboxTestSupport.Read(box, 2), Does.Contain("Subject: CCCC"), "the change is seen, through the lock");
        Assert.That(state.UnlockedReads, Is.EqualTo(unlocked));
    }
}
