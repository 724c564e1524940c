using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>Helpers shared by the mbox tests.</summary>
internal static class MboxTestSupport
{
    public static readonly string[] HiddenHeaders = ["Status:", "X-Status:", "X-Keywords:", "X-UID:", "X-IMAPbase:", "X-IMAP:", "Content-Length:"];

    public static string FixturePath(string name) =>
        Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "mbox", name);

    public static string CopyFixture(MboxDriverFixture fixture, string name)
    {
        string path = fixture.NewPath(name);
        File.Copy(FixturePath(name), path);
        return path;
    }

    public static string Write(MboxDriverFixture fixture, string name, string text)
    {
        string path = fixture.NewPath(name);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        return path;
    }

    public static byte[] ReadBytes(IMailbox box, uint uid)
    {
        using var stream = box.OpenContent(uid);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static string Read(IMailbox box, uint uid) => Encoding.Latin1.GetString(ReadBytes(box, uid));

    public static void AssertClean(IMailbox box)
    {
        foreach (var message in box.Messages)
        {
            byte[] bytes = ReadBytes(box, message.Uid);
            string text = Encoding.Latin1.GetString(bytes);
            Assert.That(bytes.Length, Is.EqualTo(message.Size), $"RFC822.SIZE of {message.Uid}");
            string header = text.Split("\r\n\r\n")[0];
            foreach (string hidden in HiddenHeaders)
            {
                Assert.That(header.Split("\r\n").Any(l => l.StartsWith(hidden, StringComparison.OrdinalIgnoreCase)), Is.False,
                    $"{hidden} leaked in message {message.Uid}");
            }

            Assert.That(text.Replace("\r\n", "").Contains('\n'), Is.False, $"bare LF in message {message.Uid}");
        }
    }

    public static byte[] Message(string subject, string body = "Hello.\r\n") => MailboxDriverContract<MboxDriverFixture>.Message(subject, body);

    public static uint Append(IMailbox box, string subject, FlagSet? flags = null) =>
        box.Append(new MemoryStream(Message(subject)), flags ?? FlagSet.Empty, new DateTimeOffset(2024, 3, 5, 10, 20, 30, TimeSpan.Zero));

    public static string IndexPath(MboxDriverFixture fixture, string path) => fixture.Mbox.IndexPathFor(path);
}
