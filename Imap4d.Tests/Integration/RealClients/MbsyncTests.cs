using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Storage;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// mbsync (isync) keeping a local Maildir++ store (SubFolders Verbatim) and the server in step,
/// both ways: INBOX, Sent and a nested archive folder come down; a local flag change, a local
/// deletion, new local messages and a new local folder go up, and are checked in the server's files.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class MbsyncTests(string type) : RealClientTest
{
    private const string Inbox1 = "From: Alice <alice@example.org>\nSubject: first\nMessage-ID: <m1@example.org>\n\nHello one.\n";
    private const string Inbox2 = "From: Bob <bob@example.org>\nSubject: second\nMessage-ID: <m2@example.org>\n\nHello two.\n";
    private const string Inbox3 = "From: Carol <carol@example.org>\nSubject: third\nMessage-ID: <m3@example.org>\n\nHello three.\n";
    private const string Sent1 = "From: Demo <demo@example.org>\nTo: alice@example.org\nSubject: sent\n\nSent once.\n";
    private const string Archived1 = "From: Old <old@example.org>\nSubject: archived\n\nFrom the archive.\n";

    /// <summary>The nested folder; year-named, as archives usually are (see <see cref="NumericFolderNameTests"/>).</summary>
    private string ArchiveFolder => "Archive/2026";

    [Test]
    public void TwoWaySyncOfSeveralFolders()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", ("\\Seen", Inbox1), ("", Inbox2), ("\\Seen", Inbox3));
        daemon.Seed("Sent", ("\\Seen", Sent1));
        daemon.Seed(ArchiveFolder, ("\\Seen", Archived1));
        string local = Path.Combine(daemon.Scratch, "Maildir");
        Directory.CreateDirectory(local);
        string rc = WriteConfig(daemon, local);

        // First run: everything comes down.
        RunMbsync(daemon, rc);
        Assert.That(Messages(local, "INBOX").Select(Strip), Is.EquivalentTo(new[] { Inbox1, Inbox2, Inbox3 }));
        Assert.That(Messages(local, "Sent").Select(Strip), Is.EqualTo(new[] { Sent1 }));
        Assert.That(Messages(local, ArchiveFolder).Select(Strip), Is.EqualTo(new[] { Archived1 }));
        Assert.That(MaildirFile(local, "INBOX", 1), Does.EndWith(":2,S"), "\\Seen came down as S");
        Assert.That(MaildirFile(local, "INBOX", 2), Does.EndWith(":2,"));

        // Local changes: flag UID 1, delete UID 2, new messages in INBOX and the archive,
        // a new folder; and on the server meanwhile a new message in Sent.
        string flagged = MaildirFile(local, "INBOX", 1);
        File.Move(flagged, flagged[..flagged.LastIndexOf(":2,", StringComparison.Ordinal)] + ":2,FS");
        File.Delete(MaildirFile(local, "INBOX", 2));
        const string NewLocal = "From: Demo <demo@example.org>\nTo: bob@example.org\nSubject: written offline\nMessage-ID: <offline@example.org>\n\nWritten on the train, caf\u00e9.\n";
        Deliver(Path.Combine(local, "INBOX"), "1800000000.M1P1.laptop", NewLocal);
        const string NewArchived = "From: Demo <demo@example.org>\nSubject: filed locally\n\nFiled.\n";
        Deliver(Path.Combine(local, ArchiveFolder), "1800000001.M2P1.laptop", NewArchived);
        const string NewFolder = "Subject: project kickoff\n\nA new local folder.\n";
        foreach (string sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(local, "Projects", sub));
        }

        Deliver(Path.Combine(local, "Projects"), "1800000002.M3P1.laptop", NewFolder);
        const string Sent2 = "From: Demo <demo@example.org>\nSubject: sent from webmail\n\nSent twice.\n";
        daemon.Seed("Sent", ("\\Seen", Sent2));

        // Second run: both directions.
        RunMbsync(daemon, rc);
        var inbox = daemon.ReadMailbox("INBOX");
        Assert.That(inbox.Select(m => m.Uid).Take(2), Is.EqualTo(new uint[] { 1, 3 }), "UID 2 was deleted locally and must be expunged");
        Assert.That(inbox, Has.Count.EqualTo(3));
        Assert.That(inbox[0].Flags.System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Flagged), "F from the local file name");
        Assert.That(inbox[1].Flags.System, Is.EqualTo(MessageFlags.Seen));
        Assert.That(WithoutTuid(inbox[2]), Is.EqualTo(Crlf(NewLocal)), "the offline message, byte for byte (mbsync adds only X-TUID)");
        var archive = daemon.ReadMailbox(ArchiveFolder);
        Assert.That(archive.Select(WithoutTuid), Is.EqualTo(new[] { Crlf(Archived1), Crlf(NewArchived) }));
        var projects = daemon.ReadMailbox("Projects");
        Assert.That(projects.Select(WithoutTuid), Is.EqualTo(new[] { Crlf(NewFolder) }), "Create Both made the folder on the server");
        Assert.That(Messages(local, "Sent").Select(Strip), Is.EquivalentTo(new[] { Sent1, Sent2 }), "the server's new message came down");

        // A third run has nothing to do and changes nothing.
        RunMbsync(daemon, rc);
        Assert.That(daemon.ReadMailbox("INBOX").Select(m => (m.Uid, m.Flags.ToString())), Is.EqualTo(inbox.Select(m => (m.Uid, m.Flags.ToString()))));
        Assert.That(Messages(local, "INBOX"), Has.Count.EqualTo(3));
    }

    [Test]
    public void AnIdlingSessionSeesWhatTheSyncChanged()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", ("\\Seen", Inbox1), ("", Inbox2), ("\\Seen", Inbox3));
        string local = Path.Combine(daemon.Scratch, "Maildir");
        Directory.CreateDirectory(local);
        string rc = WriteConfig(daemon, local);
        RunMbsync(daemon, rc);

        // Another client sits in IDLE on INBOX while mbsync pushes a flag, a deletion and a new message.
        using var idler = new System.Net.Sockets.TcpClient("127.0.0.1", daemon.Port);
        idler.ReceiveTimeout = 10_000;
        var stream = idler.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        void Send(string line) => stream.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        string Until(string prefix)
        {
            var seen = new StringBuilder();
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                seen.AppendLine(line);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return seen.ToString();
                }
            }

            throw new EndOfStreamException(seen.ToString());
        }

        Until("* OK");
        Send("a LOGIN demo demo");
        Until("a ");
        Send("b SELECT INBOX");
        Assert.That(Until("b "), Does.Contain("* 3 EXISTS").And.Contain("b OK"));
        Send("c IDLE");
        Until("+ ");

        string flagged = MaildirFile(local, "INBOX", 1);
        File.Move(flagged, flagged[..flagged.LastIndexOf(":2,", StringComparison.Ordinal)] + ":2,FS");
        File.Delete(MaildirFile(local, "INBOX", 2));
        Deliver(Path.Combine(local, "INBOX"), "1800000003.M4P1.laptop", "Subject: while idling\n\nhello\n");
        RunMbsync(daemon, rc);

        // Everything arrives as untagged responses within a few seconds (the order may vary).
        var pushed = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while (DateTime.UtcNow < deadline && !(pushed.Any(l => l.EndsWith(" EXISTS", StringComparison.Ordinal))
            && pushed.Contains("* 2 EXPUNGE") && pushed.Any(l => l.StartsWith("* 1 FETCH", StringComparison.Ordinal))))
        {
            pushed.Add(reader.ReadLine() ?? throw new EndOfStreamException(string.Join("\n", pushed)));
        }

        Send("DONE");
        pushed.AddRange(Until("c ").Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        TestContext.Out.WriteLine(string.Join("\n", pushed));
        Assert.That(pushed, Does.Contain("* 1 FETCH (FLAGS (\\Seen \\Flagged))"));
        Assert.That(pushed, Does.Contain("* 2 EXPUNGE"));
        // IDLE may report the new message before the expunge or after it: count as a client does.
        int count = 3;
        foreach (string line in pushed)
        {
            var words = line.Split(' ');
            if (words.Length == 3 && words[0] == "*" && words[2] is "EXISTS" or "EXPUNGE")
            {
                count = words[2] == "EXISTS" ? int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture) : count - 1;
            }
        }

        Assert.That(count, Is.EqualTo(3), "2 left after the expunge, plus the new one");
        Assert.That(pushed[^1], Does.StartWith("c OK"));
        Send("d FETCH 3 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        Assert.That(Until("d "), Does.Contain("Subject: while idling"));
        Send("z LOGOUT");
        Until("z ");
    }

    private static string WriteConfig(ClientDaemon daemon, string local)
    {
        string rc = Path.Combine(daemon.Scratch, "mbsyncrc");
        File.WriteAllText(rc, $"""
            IMAPAccount demo
            Host 127.0.0.1
            Port {daemon.Port}
            User demo
            Pass demo
            SSLType None
            AuthMechs LOGIN
            Timeout 15

            IMAPStore remote
            Account demo

            MaildirStore local
            Path {local}/
            Inbox {local}/INBOX
            SubFolders Verbatim

            Channel demo
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Expunge Both
            SyncState *

            """);
        return rc;
    }

    private static void RunMbsync(ClientDaemon daemon, string rc)
    {
        var (code, stdout, stderr) = ClientProgram.Run("mbsync", ["-c", rc, "-a", "-V"], TimeSpan.FromSeconds(20),
            new Dictionary<string, string> { ["HOME"] = daemon.Scratch });
        TestContext.Out.WriteLine(stdout + stderr);
        Assert.That(code, Is.EqualTo(0), $"mbsync failed:\n{stdout}\n{stderr}");
    }

    /// <summary>The local files of a folder (cur and new), oldest name first.</summary>
    private static List<string> Messages(string local, string folder) =>
        Files(local, folder).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))).ToList();

    private static IEnumerable<string> Files(string local, string folder) =>
        new[] { "cur", "new" }.SelectMany(sub => Directory.EnumerateFiles(Path.Combine(local, folder, sub))).Order(StringComparer.Ordinal);

    /// <summary>The local file mbsync matched to a server UID (",U=uid" in its name).</summary>
    private static string MaildirFile(string local, string folder, uint uid) =>
        Files(local, folder).Single(f => Regex.IsMatch(Path.GetFileName(f), $",U={uid}(:|$)"));

    private static void Deliver(string folder, string name, string content)
    {
        string tmp = Path.Combine(folder, "tmp", name);
        File.WriteAllBytes(tmp, Encoding.UTF8.GetBytes(content));
        File.Move(tmp, Path.Combine(folder, "new", name));
    }

    /// <summary>A local copy without the X-TUID header mbsync adds to every message it propagates.</summary>
    private static string Strip(string message) => Regex.Replace(message, "^X-TUID: [^\n]*\n", "", RegexOptions.Multiline);

    private static string WithoutTuid(StoredMessage message) => Regex.Replace(message.Text, "^X-TUID: [^\r\n]*\r\n", "", RegexOptions.Multiline);

    private static string Crlf(string message) => message.Replace("\n", "\r\n");
}
