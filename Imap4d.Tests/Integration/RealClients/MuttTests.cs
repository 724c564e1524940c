using Imap4d.Storage;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// mutt on a pseudo-terminal (script(1)), driven by pushed keystrokes: delete every message
/// whose subject matches a pattern, sync, quit; and save matching messages to another folder.
/// The server's files must have lost exactly the matching messages.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class MuttTests(string type) : RealClientTest
{
    private static readonly (string Flags, string Message)[] Mail =
    [
        ("\\Seen", "From: Carol <carol@example.com>\nSubject: Report Q1\n\nNumbers for Q1.\n"),
        ("", "From: Bob <bob@example.net>\nSubject: Lunch\n\nNoon?\n"),
        ("\\Flagged", "From: Carol <carol@example.com>\nSubject: Weekly Report\n\nNumbers for the week.\n"),
        ("", "From: Dave <dave@example.org>\nSubject: reportage\n\nlowercase: mutt's smart case makes ~s Report case-sensitive.\n"),
        ("\\Seen", "From: Alice <alice@example.org>\nSubject: Re: Report Q1\n\nThanks.\n"),
        ("", "From: Eve <eve@example.org>\nSubject: Plans\n\nThe Report is in the body only.\n"),
    ];

    [Test]
    public void DeletePatternAndSyncRemovesExactlyTheMatches()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", Mail);
        var before = daemon.ReadMailbox("INBOX");
        RunMutt(daemon, "<delete-pattern>~s Report<enter><sync-mailbox><quit>");

        var after = daemon.ReadMailbox("INBOX");
        Assert.That(after.Select(m => m.Subject), Is.EqualTo(new[] { "Lunch", "reportage", "Plans" }));
        Assert.That(after.Select(m => m.Uid), Is.EqualTo(new uint[] { 2, 4, 6 }));
        Assert.That(after.Select(m => m.Content), Is.EqualTo(new[] { before[1].Content, before[3].Content, before[5].Content }));
        Assert.That(after.Select(m => m.Flags.Has(MessageFlags.Deleted)), Is.All.False);
        Assert.That(daemon.TranscriptWith(" EXPUNGE"), Does.Contain("+FLAGS.SILENT (\\Deleted)").And.Contain(" EXPUNGE"));
    }

    [Test]
    public void SaveMessagesToAnotherFolderCopiesOnTheServer()
    {
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", Mail);
        daemon.Seed("Reports");
        var before = daemon.ReadMailbox("INBOX");
        RunMutt(daemon, "<tag-pattern>~s Weekly<enter><tag-prefix><copy-message>=Reports<enter><quit>");

        var reports = daemon.ReadMailbox("Reports");
        Assert.That(reports.Select(m => m.Content), Is.EqualTo(new[] { before[2].Content }), "only \"Weekly Report\" matches");
        Assert.That(reports[0].Flags.Has(MessageFlags.Flagged), Is.True, "the copy keeps \\Flagged");
        Assert.That(daemon.ReadMailbox("INBOX").Select(m => m.Content), Is.EqualTo(before.Select(m => m.Content)), "copy leaves INBOX alone");
        Assert.That(daemon.TranscriptWith("UID COPY 3 \"Reports\""), Does.Contain("UID COPY 3 \"Reports\""));
    }

    [Test]
    public void SaveToANewFolderReadAndFlag()
    {
        // save-message to a missing folder: UID COPY gets NO [TRYCREATE], mutt CREATEs and copies
        // again, then marks the original deleted. Reading a message sets \Seen, flag-message \Flagged.
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", Mail);
        var before = daemon.ReadMailbox("INBOX");
        RunMutt(daemon, "<first-entry><save-message>=Filed/Reports<enter><next-entry><display-message><exit><flag-message><sync-mailbox><quit>");

        Assert.That(daemon.TranscriptWith("CREATE \"Filed/Reports\""), Does.Contain("NO [TRYCREATE]").And.Contain("CREATE \"Filed/Reports\""));
        var filed = daemon.ReadMailbox("Filed/Reports");
        Assert.That(filed.Select(m => m.Content), Is.EqualTo(new[] { before[0].Content }));
        var after = daemon.ReadMailbox("INBOX");
        Assert.That(after.Select(m => m.Uid), Is.EqualTo(new uint[] { 2, 3, 4, 5, 6 }), "the saved message left INBOX");
        Assert.That(after[0].Flags.System, Is.EqualTo(MessageFlags.Seen | MessageFlags.Flagged), "read and flagged in mutt");
        Assert.That(after.Skip(1).Select(m => m.Flags), Is.EqualTo(before.Skip(2).Select(m => m.Flags)), "the others are untouched");
    }

    [Test]
    public void DeleteByBodyPatternUsesServerSearch()
    {
        // =b is mutt's server-side body pattern (UID SEARCH BODY); ~b and ~s download and match locally.
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX", Mail);
        string probe = ClientProgram.Python($$"""
            import imaplib
            c = imaplib.IMAP4('127.0.0.1', {{daemon.Port}})
            c.login('demo', 'demo')
            c.select('INBOX')
            try:
                print(c.search(None, 'ALL')[0])
            except imaplib.IMAP4.error as e:
                print('no-search', e)
            c.logout()
            """);
        if (probe.StartsWith("no-search", StringComparison.Ordinal))
        {
            Assert.Ignore("the server has no SEARCH yet: " + probe.Trim());
        }

        RunMutt(daemon, "<delete-pattern>=b Numbers<enter><sync-mailbox><quit>");
        Assert.That(daemon.ReadMailbox("INBOX").Select(m => m.Subject),
            Is.EqualTo(new[] { "Lunch", "reportage", "Re: Report Q1", "Plans" }));
        Assert.That(daemon.TranscriptWith("SEARCH BODY"), Does.Contain("SEARCH BODY"), "mutt asked the server");
    }

    private static void RunMutt(ClientDaemon daemon, string keys)
    {
        string mutt = ClientProgram.Require("mutt");
        string home = daemon.Scratch;
        string rc = Path.Combine(home, "muttrc");
        File.WriteAllText(rc, $"""
            set folder="imap://demo@127.0.0.1:{daemon.Port}/"
            set spoolfile="+INBOX"
            set imap_user="demo"
            set imap_pass="demo"
            set ssl_starttls=no
            set ssl_force_tls=no
            set imap_passive=yes
            set confirmappend=no
            set confirmcreate=no
            set delete=yes
            set quit=yes
            set move=no
            set mark_old=no
            set resolve=no
            set sort=mailbox-order
            set record=""
            set postponed="{home}/postponed"
            set header_cache=""
            set timeout=5

            """);
        string command = $"'{mutt}' -n -F '{rc}' -f 'imap://demo@127.0.0.1:{daemon.Port}/INBOX' -e \"push '{keys}'\"";
        var (code, stdout, stderr) = ClientProgram.Run("script", ["-qec", command, "/dev/null"], TimeSpan.FromSeconds(20),
            new Dictionary<string, string> { ["HOME"] = home, ["TERM"] = "vt100", ["COLUMNS"] = "120", ["LINES"] = "40" });
        Assert.That(code, Is.EqualTo(0), $"mutt failed:\n{stdout}\n{stderr}");
    }
}
