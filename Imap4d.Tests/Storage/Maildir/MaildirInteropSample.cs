using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;

namespace Imap4d.Tests.Storage.Maildir;

/// <summary>
/// Writes a maildir for checking by hand that other programs read what we write:
/// <c>IMAP4D_MAILDIR_SAMPLE=/tmp/x dotnet test --filter Name~WriteSample</c>, then open /tmp/x
/// with Dovecot, mutt or GNU mail (see Fixtures/maildir/README.md for a private Dovecot).
/// </summary>
[Explicit("writes outside the test directory; for manual interoperability checks")]
public class MaildirInteropSample
{
    [Test]
    public void WriteSample()
    {
        string path = Environment.GetEnvironmentVariable("IMAP4D_MAILDIR_SAMPLE") ?? Path.Combine(Path.GetTempPath(), "imap4d-maildir-sample");
        var driver = new MaildirDriver();
        driver.Create(path, (UnixFileMode)0x1C0);
        using var box = driver.Open(path, "INBOX", readOnly: false);
        var date = new DateTimeOffset(2024, 3, 5, 10, 20, 30, TimeSpan.Zero);
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: seen\r\n\r\none\r\n")), FlagSet.Of(MessageFlags.Seen), date);
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: keywords\r\n\r\ntwo\r\n")), FlagSet.Of(MessageFlags.Flagged, "$Label1", "Work"), date);
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: plain\r\n\r\nthree\r\n")), FlagSet.Empty, date);
        box.Sync();
        box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered | MessageFlags.Deleted));
    }
}
