using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Index;
using Imap4d.Storage.Mh;
using Mono.Unix.Native;
using MessageFlags = Imap4d.Storage.MessageFlags;

namespace Imap4d.Tests.Storage.Mh;

/// <summary>
/// The first open of a folder other programs filled reads no message whole (CRLF sizes are counted
/// when asked for, then kept in the index), and COPY between MH folders hard-links the files.
/// </summary>
public class MhFirstOpenAndCopyTests
{
    private MhDriverFixture _fixture = null!;

    private MhDriver Driver => (MhDriver)_fixture.Driver;

    [SetUp]
    public void SetUp() => _fixture = new MhDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string NmhFolder(string name, int count)
    {
        string path = _fixture.NewPath(name);
        Directory.CreateDirectory(path);
        for (int i = 1; i <= count; i++)
        {
            File.WriteAllText(Path.Combine(path, i.ToString()), $"From: x@example.org\nSubject: message {i}\n\nline one\nline two of {i}\n");
        }

        File.WriteAllText(Path.Combine(path, ".mh_sequences"), "unseen: 2\n");
        return path;
    }

    private static MailboxIndex Index(string folder) => MailboxIndex.TryLoad(Path.Combine(folder, MhFolder.IndexFileName))!;

    private static string Read(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        return new StreamReader(stream, Encoding.UTF8).ReadToEnd();
    }

    private static long InodeOf(string path) => Syscall.stat(path, out var st) == 0 ? (long)st.st_ino : -1;

    [Test]
    public void FirstOpenLeavesSizesUncountedUntilAClientAsks()
    {
        string path = NmhFolder("inbox", 3);
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            Assert.That(Index(path).Records.Select(r => r.Size), Is.All.EqualTo(MhFolder.UnknownSize), "no file read whole by SELECT");
            string text = Read(box, 2);
            Assert.That(text, Does.Contain("\r\nline two of 2\r\n"));
            Assert.That(box.Messages[1].Size, Is.EqualTo(Encoding.UTF8.GetByteCount(text)));
            Assert.That(box.Messages[0].Size, Is.EqualTo(new FileInfo(Path.Combine(path, "1")).Length + 5), "5 lines: LF becomes CRLF");
        }

        // Closed: the counted sizes are in the index, the others still unknown.
        var sizes = Index(path).Records.ToDictionary(r => r.Uid, r => r.Size);
        Assert.That(sizes[1], Is.EqualTo(new FileInfo(Path.Combine(path, "1")).Length + 5));
        Assert.That(sizes[2], Is.GreaterThan(0));
        Assert.That(sizes[3], Is.EqualTo(MhFolder.UnknownSize));
        using var again = Driver.Open(path, "inbox", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3 }), "same UIDs");
        Assert.That(again.Messages[2].Size, Is.EqualTo(new FileInfo(Path.Combine(path, "3")).Length + 5));
    }

    [Test]
    public void ASizeIsNotKeptForAFileReplacedMeanwhile()
    {
        string path = NmhFolder("inbox", 2);
        using (var box = Driver.Open(path, "inbox", readOnly: false))
        {
            Assert.That(box.Messages[0].Size, Is.GreaterThan(0));
            // Another program replaces message 1 (a new inode) before the size is saved.
            string replacement = Path.Combine(path, ",new");
            File.WriteAllText(replacement, "From: y@example.org\nSubject: other, and longer than the first one was\n\nx\n");
            File.Move(replacement, Path.Combine(path, "1"), overwrite: true);
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        }

        using var again = Driver.Open(path, "inbox", readOnly: false);
        var first = again.Messages.Single(m => Read(again, m.Uid).Contains("longer than"));
        Assert.That(first.Uid, Is.Not.EqualTo(1u), "a new file under number 1 is a new message");
        Assert.That(first.Size, Is.EqualTo(Encoding.UTF8.GetByteCount(Read(again, first.Uid))));
    }

    [Test]
    public void CopyBetweenFoldersLinksTheFiles()
    {
        string source = NmhFolder("inbox", 3);
        string target = _fixture.NewPath("archive");
        Driver.Create(target, (UnixFileMode)0x180);
        using var from = Driver.Open(source, "inbox", readOnly: false);
        from.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
        using var to = Driver.Open(target, "archive", readOnly: false);
        var pairs = from.CopyTo([1, 3], to);
        Assert.That(pairs, Is.EqualTo(new (uint, uint)[] { (1, 1), (3, 2) }));
        Assert.That(InodeOf(Path.Combine(target, "1")), Is.EqualTo(InodeOf(Path.Combine(source, "1"))), "a hard link, no second copy");
        Assert.That(InodeOf(Path.Combine(target, "2")), Is.EqualTo(InodeOf(Path.Combine(source, "3"))));
        to.Sync();
        Assert.That(to.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(to.Messages[0].Flags.System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Flagged), "as in the source");
        Assert.That(File.ReadAllText(Path.Combine(target, ".mh_sequences")), Does.Contain("flagged: 1"));
        Assert.That(Read(to, 2), Is.EqualTo(Read(from, 3)));
        Assert.That(to.Messages[1].Size, Is.EqualTo(from.Messages[2].Size));

        // Expunged in the source: the copy stays, with its UID, in a new session too.
        from.Store([1, 3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        from.Expunge();
        using var reopened = Driver.Open(target, "archive", readOnly: false);
        Assert.That(reopened.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2 }));
        Assert.That(Read(reopened, 1), Does.Contain("Subject: message 1\r\n"));
    }

    [Test]
    public void CopyOfAFileAnotherProgramReplacedIsNotLinked()
    {
        string source = NmhFolder("inbox", 2);
        string target = _fixture.NewPath("archive");
        Driver.Create(target, (UnixFileMode)0x180);
        using var from = Driver.Open(source, "inbox", readOnly: false);
        using var to = Driver.Open(target, "archive", readOnly: false);
        // Message 2 is replaced by another file after SELECT: its UID must not copy the stranger.
        string stranger = Path.Combine(source, ",tmp");
        File.WriteAllText(stranger, "From: z@example.org\nSubject: a stranger of other size\n\nzzz\n");
        File.Move(stranger, Path.Combine(source, "2"), overwrite: true);
        try
        {
            from.CopyTo([1, 2], to);
        }
        catch (StorageException)
        {
            // "expunged": acceptable; copying the stranger is not.
        }

        to.Sync();
        foreach (var message in to.Messages)
        {
            Assert.That(Read(to, message.Uid), Does.Not.Contain("stranger"));
        }

        Assert.That(InodeOf(Path.Combine(target, "1")), Is.EqualTo(InodeOf(Path.Combine(source, "1"))));
    }
}
