using System.Text;
using Imap4d.Storage;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// Issue 11, item 7: APPEND writes the From_ line as GNU mailutils does, with the envelope sender
/// taken from the message (Return-Path, then Sender, then From) instead of MAILER-DAEMON, and with
/// the internal date in its own zone (GNU reads the offset after the year) instead of UTC.
/// </summary>
public class MboxFromLineTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string AppendOne(string header, DateTimeOffset date)
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes(header + "Subject: s\r\n\r\nbody\r\n")), FlagSet.Empty, date);
        }

        return File.ReadAllText(path).Split('\n')[0];
    }

    private static readonly DateTimeOffset Plus2 = new(2024, 3, 5, 12, 34, 56, TimeSpan.FromHours(2));

    [TestCase("Return-Path: <rp@example.org>\r\nSender: s@example.com\r\nFrom: Carol <carol@example.net>\r\n", "rp@example.org")]
    [TestCase("Sender: s@example.com\r\nFrom: Carol <carol@example.net>\r\n", "s@example.com")]
    [TestCase("From: Carol <carol@example.net>\r\n", "carol@example.net")]
    [TestCase("From: \"Carol Q\" <carol@example.net>, other@example.net\r\n", "carol@example.net")]
    [TestCase("To: nobody@example.net\r\n", "MAILER-DAEMON")]
    [TestCase("Return-Path: <>\r\nFrom: carol@example.net\r\n", "carol@example.net")]
    public void EnvelopeSenderComesFromTheMessage(string header, string sender) =>
        Assert.That(AppendOne(header, Plus2), Is.EqualTo($"From {sender} Tue Mar  5 12:34:56 2024 +0200"));

    [Test]
    public void UtcDatesKeepTheClassicForm() =>
        Assert.That(AppendOne("From: a@example.org\r\n", new DateTimeOffset(2024, 3, 5, 10, 34, 56, TimeSpan.Zero)),
            Is.EqualTo("From a@example.org Tue Mar  5 10:34:56 2024"));

    [Test]
    public void InternalDateKeepsItsZoneAfterReopening()
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using (var box = _fixture.Driver.Open(path, "box", readOnly: false))
        {
            box.Append(new MemoryStream("From: a@example.org\r\n\r\nx\r\n"u8.ToArray()), FlagSet.Empty, Plus2);
        }

        File.Delete(path + ".imap4d"); // whatever index there is: the date must come back from the file itself
        foreach (string index in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, "*.index*", SearchOption.AllDirectories))
        {
            File.Delete(index);
        }

        using var again = _fixture.Driver.Open(path, "box", readOnly: true);
        Assert.That(again.Messages[0].InternalDate, Is.EqualTo(Plus2));
        Assert.That(again.Messages[0].InternalDate.Offset, Is.EqualTo(TimeSpan.FromHours(2)));
    }
}
