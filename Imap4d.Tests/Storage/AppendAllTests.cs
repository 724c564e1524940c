using System.Text;
using Imap4d.Storage;
using Imap4d.Tests.Storage.Maildir;
using Imap4d.Tests.Storage.Mbox;
using Imap4d.Tests.Storage.Mh;

namespace Imap4d.Tests.Storage;

/// <summary>MULTIAPPEND's storage half (RFC 3502): <see cref="IMailbox.AppendAll"/> keeps every message or none.</summary>
[TestFixture(typeof(MboxDriverFixture))]
[TestFixture(typeof(MaildirDriverFixture))]
[TestFixture(typeof(MhDriverFixture))]
[TestFixture(typeof(MemoryDriverFixture))]
public class AppendAllTests<TFixture> where TFixture : IDriverFixture, new()
{
    private static readonly DateTimeOffset Date = new(2024, 3, 5, 10, 20, 30, TimeSpan.FromHours(1));

    private TFixture _fixture = default!;
    private string _path = "";

    [SetUp]
    public void SetUp()
    {
        _fixture = new TFixture();
        _path = _fixture.NewPath("box");
        _fixture.Driver.Create(_path, (UnixFileMode)0x180);
    }

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private static byte[] Message(int i) =>
        Encoding.ASCII.GetBytes($"From: a@example.org\r\nSubject: message {i}\r\n\r\nbody {i}\r\n");

    private static AppendItem Item(byte[] content, FlagSet flags) => new(() => new MemoryStream(content), flags, Date);

    [Test]
    public void EveryMessageIsStoredWithConsecutiveUids()
    {
        var contents = Enumerable.Range(1, 50).Select(Message).ToList();
        using (var box = _fixture.Driver.Open(_path, "box", readOnly: false))
        {
            box.Append(new MemoryStream(Message(0)), FlagSet.Empty, Date);
            var uids = box.AppendAll(contents.Select((c, i) => Item(c, i % 2 == 0 ? FlagSet.Of(MessageFlags.Seen) : FlagSet.Of(MessageFlags.None, "Work"))).ToList());
            Assert.That(uids, Is.EqualTo(Enumerable.Range(2, 50).Select(i => (uint)i)));
        }

        using var again = _fixture.Driver.Open(_path, "box", readOnly: false);
        Assert.That(again.Messages, Has.Count.EqualTo(51));
        for (int i = 0; i < contents.Count; i++)
        {
            using var stream = again.OpenContent((uint)i + 2);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(contents[i]));
            Assert.That(again.Messages[i + 1].Flags, Is.EqualTo(i % 2 == 0 ? FlagSet.Of(MessageFlags.Seen) : FlagSet.Of(MessageFlags.None, "Work")));
        }
    }

    [Test]
    public void NothingStaysWhenOneMessageFails()
    {
        using (var box = _fixture.Driver.Open(_path, "box", readOnly: false))
        {
            box.Append(new MemoryStream(Message(0)), FlagSet.Empty, Date);
            var items = new List<AppendItem> { Item(Message(1), FlagSet.Empty), Item(Message(2), FlagSet.Empty) };
            items.Add(new AppendItem(() => throw new BrokenMessageException(), FlagSet.Empty, Date));
            items.Add(Item(Message(4), FlagSet.Empty));
            Assert.Throws<BrokenMessageException>(() => box.AppendAll(items));
            box.Sync();
            Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1 }));
        }

        using var again = _fixture.Driver.Open(_path, "box", readOnly: false);
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1 }));
        if (Directory.Exists(_path))
        {
            // No message file of the failed call is left anywhere (tmp/, cur/, numbered or temp files).
            var files = Directory.EnumerateFiles(_path, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(_path, f))
                .Where(f => !f.StartsWith('.') && !f.StartsWith("dovecot", StringComparison.Ordinal) && !f.StartsWith("imap4d", StringComparison.Ordinal)
                    && !f.Contains("uidlist", StringComparison.Ordinal) && !f.Contains("mailutils", StringComparison.OrdinalIgnoreCase))
                .ToList();
            Assert.That(files, Has.Count.EqualTo(1), string.Join(", ", files));
        }
    }

    private sealed class BrokenMessageException : Exception;
}
