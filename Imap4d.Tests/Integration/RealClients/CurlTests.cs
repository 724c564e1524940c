using System.Text;
using Imap4d.Storage;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// curl's imap:// URLs: the mailbox list (LIST), messages by UID (SELECT + UID FETCH BODY[]),
/// a MIME part by SECTION, custom commands (STATUS, EXAMINE), APPEND by upload; every output
/// is compared with what the server's files hold.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class CurlTests(string type) : RealClientTest
{
    [Test]
    public void ListsMailboxes()
    {
        var daemon = StartDaemon(type, demoInbox: true);
        daemon.SeedDemoInbox();
        daemon.Seed("Sent");
        daemon.Seed("Archive/Old");
        string list = Curl(daemon, "/");
        Assert.That(list.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.LastIndexOf('"') + 2)..]),
            Is.EquivalentTo(new[] { "INBOX", "Sent", "Archive", "Archive/Old" }), list);
        Assert.That(list, Does.Contain("* LIST (\\Noselect \\HasChildren) \"/\" Archive\r\n").Or.Contain("* LIST (\\HasChildren) \"/\" Archive\r\n"));
    }

    [Test]
    public void FetchesEveryMessageByUidByteForByte()
    {
        var daemon = StartDaemon(type, demoInbox: true);
        var stored = daemon.SeedDemoInbox();
        foreach (var message in stored)
        {
            byte[] fetched = CurlBytes(daemon, $"/INBOX;UID={message.Uid}");
            Assert.That(fetched, Is.EqualTo(message.Content), $"UID {message.Uid}");
        }

        // curl fetches with BODY[] (not PEEK): the server now holds them \Seen.
        Assert.That(daemon.ReadMailbox("INBOX").Select(m => m.Flags.Has(MessageFlags.Seen)), Is.All.True);
    }

    [Test]
    public void FetchesAMimePartAndAPartialRange()
    {
        var daemon = StartDaemon(type, demoInbox: true);
        var stored = daemon.SeedDemoInbox();
        var report = stored[2];
        Assert.That(report.Subject, Is.EqualTo("Report attached"));
        string part1 = Curl(daemon, $"/INBOX;UID={report.Uid};SECTION=1");
        Assert.That(report.Text, Does.Contain("\r\n\r\n" + part1 + "\r\n--"), "SECTION=1 is the first part's body as stored");
        string header = Curl(daemon, $"/INBOX;UID={report.Uid};SECTION=HEADER.FIELDS%20(SUBJECT)");
        Assert.That(header, Is.EqualTo("Subject: Report attached\r\n\r\n"));
        string partial = Curl(daemon, $"/INBOX;UID={report.Uid};PARTIAL=0.20");
        Assert.That(partial, Is.EqualTo(report.Text[..20]));
    }

    [Test]
    public void CustomCommandsStatusAndExamine()
    {
        var daemon = StartDaemon(type, demoInbox: true);
        var stored = daemon.SeedDemoInbox();
        string status = Curl(daemon, "/INBOX", "-X", "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)");
        int unseen = stored.Count(m => !m.Flags.Has(MessageFlags.Seen));
        Assert.That(status, Is.EqualTo($"* STATUS INBOX (MESSAGES 3 UIDNEXT {stored[^1].Uid + 1} UNSEEN {unseen})\r\n"));
        string examine = Curl(daemon, "/", "-X", "EXAMINE INBOX");
        Assert.That(examine, Does.Contain("* 3 EXISTS\r\n").And.Contain("* OK [PERMANENTFLAGS ()]"));
    }

    [Test]
    public void UploadAppendsTheMessage()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("Drafts");
        string file = Path.Combine(daemon.Scratch, "draft.eml");
        const string Draft = "From: Demo <demo@example.org>\r\nTo: alice@example.org\r\nSubject: uploaded by curl\r\n\r\nHello via APPEND.\r\n";
        File.WriteAllText(file, Draft);
        Curl(daemon, "/Drafts", "-T", file);
        var drafts = daemon.ReadMailbox("Drafts");
        Assert.That(drafts.Select(m => m.Text), Is.EqualTo(new[] { Draft }));
    }

    [Test]
    public void LargeMessageUploadFetchAndPartial()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("Sent");
        var random = new Random(2026);
        byte[] blob = new byte[1_500_000];
        random.NextBytes(blob);
        string base64 = Convert.ToBase64String(blob, Base64FormattingOptions.InsertLineBreaks);
        string message = "Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n" + base64 + "\r\n";
        string file = Path.Combine(daemon.Scratch, "big.eml");
        File.WriteAllText(file, message);
        Curl(daemon, "/Sent", "-T", file);

        var stored = daemon.ReadMailbox("Sent");
        Assert.That(stored, Has.Count.EqualTo(1));
        Assert.That(stored[0].Content, Is.EqualTo(Encoding.ASCII.GetBytes(message)), "the 2 MB upload is stored byte for byte");
        Assert.That(CurlBytes(daemon, $"/Sent;UID={stored[0].Uid}"), Is.EqualTo(stored[0].Content));
        Assert.That(Curl(daemon, $"/Sent;UID={stored[0].Uid};PARTIAL=1000000.5000"), Is.EqualTo(message.Substring(1_000_000, 5000)));
    }

    private static string Curl(ClientDaemon daemon, string path, params string[] extra) =>
        Encoding.UTF8.GetString(CurlBytes(daemon, path, extra));

    private static byte[] CurlBytes(ClientDaemon daemon, string path, params string[] extra)
    {
        string output = Path.Combine(daemon.Scratch, "curl-" + Guid.NewGuid().ToString("N")[..8]);
        var (code, stdout, stderr) = ClientProgram.Run("curl",
            ["-s", "-S", "--max-time", "15", "-o", output, .. extra, $"imap://demo:demo@127.0.0.1:{daemon.Port}{path}"],
            TimeSpan.FromSeconds(20));
        Assert.That(code, Is.EqualTo(0), $"curl {path} failed:\n{stdout}\n{stderr}");
        return File.Exists(output) ? File.ReadAllBytes(output) : [];
    }
}
