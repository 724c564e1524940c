using System.Diagnostics;
using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>
/// Issue 11: GNU imap4d 3.15 (Debian's mailutils-imap4d) is the oracle. One GNU-style
/// configuration (a personal namespace with a second prefix and its own delimiter, an other
/// users' namespace with $user, an mbox INBOX from mailbox-pattern outside the personal
/// directory) and the same mailboxes in two trees; `imap4d --test --preauth` of GNU and ours
/// get the same scripted sessions, and every answer must be the same after
/// <see cref="GnuSessionTranscript"/>'s normalization, or be one of
/// <see cref="GnuDeliberateDifferences.All"/> (named, with the reason).
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class GnuDifferentialTests
{
    private const string GnuImap4d = "/usr/sbin/imap4d";

    private static readonly string[] MimeFixtures = ["simple-text", "alternative", "nested-rfc822", "mixed-attachments", "encoded-words", "rfc2231"];

    private string _root = "";

    private readonly HashSet<string> _usedDifferences = [];

    [OneTimeSetUp]
    public void SetUp()
    {
        if (!File.Exists(GnuImap4d))
        {
            Assert.Ignore($"GNU imap4d is not installed ({GnuImap4d}; package mailutils-imap4d)");
        }

        _root = Path.Combine(Path.GetTempPath(), $"imap4d-gnudiff-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        if (_root.Length > 0 && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        TestContext.Out.WriteLine("deliberate differences met: " + string.Join(", ", _usedDifferences.Order()));
    }

    /// <summary>The scripted sessions: each runs on fresh copies of the mailboxes.</summary>
    private static IEnumerable<TestCaseData> Sessions()
    {
        yield return new TestCaseData((object)new[]
        {
            "NAMESPACE",
            "LIST \"\" \"\"",
            "LIST \"\" \"*\"",
            "LIST \"\" \"%\"",
            "LIST \"\" \"work/%\"",
            "LIST \"work/\" \"%\"",
            "LIST \"work\" \"*\"",
            "LIST \"\" \"INBOX\"",
            "LIST \"\" \"inbox\"",
            "LIST \"\" \"nosuch*\"",
            "LIST \"#archive:\" \"*\"",
            "LIST \"#archive:\" \"%\"",
            "LIST \"\" \"#archive:*\"",
            "LIST \"#archive:a.\" \"*\"",
            "LIST \"~foo/\" \"*\"",
            "LIST \"\" \"~foo/%\"",
            "LIST \"~nobody-here/\" \"*\"",
            "LIST \"~/\" \"*\"",
            "LIST \"/\" \"*\"",
            "LIST \"archive\" \"*\"",
            // LSUB patterns stay narrow: both servers keep subscriptions in $home/.mailboxlist of the
            // user running the test, which other programs may have filled.
            "LSUB \"\" \"Dr*\"",
        }).SetName("ListAndNamespace");

        yield return new TestCaseData((object)new[]
        {
            "STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
            "STATUS Drafts (MESSAGES UIDNEXT UNSEEN)",
            "STATUS #archive:a.b (MESSAGES)",
            "STATUS ~foo/INBOX (MESSAGES)",
            "STATUS nosuch (MESSAGES)",
            "EXAMINE Drafts",
            "SELECT #archive:2023",
            "SELECT #archive:a.b",
            "SELECT ~foo/INBOX",
            "SELECT ~nobody-here/INBOX",
            "SELECT nosuch",
            "SELECT INBOX",
            "CLOSE",
        }).SetName("SelectExamineStatus");

        yield return new TestCaseData((object)new[]
        {
            "SELECT mime",
            "FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE)",
            "FETCH 1:* ENVELOPE",
            "FETCH 1:* BODY",
            "FETCH 1:* BODYSTRUCTURE",
            "FETCH 1:* BODY.PEEK[]",
            "FETCH 1:* BODY.PEEK[HEADER]",
            "FETCH 1:* BODY.PEEK[TEXT]",
            "FETCH 1:* BODY.PEEK[1]",
            "FETCH 1:* BODY.PEEK[1.MIME]",
            "FETCH 1:* BODY.PEEK[HEADER.FIELDS (Subject From)]",
            "FETCH 1:* BODY.PEEK[HEADER.FIELDS.NOT (Subject From Date)]",
            "FETCH 1:* BODY.PEEK[]<0.20>",
            "FETCH 1:* BODY.PEEK[TEXT]<5.10>",
            "FETCH 3 BODY.PEEK[2.HEADER]",
            "FETCH 3 BODY.PEEK[2.TEXT]",
            "FETCH 2 BODY.PEEK[1.HEADER]",
            "FETCH 1:* RFC822.HEADER",
            "FETCH 1:* RFC822.TEXT",
            "FETCH 1 ALL",
            "FETCH 1 FAST",
            "FETCH 1 FULL",
            "UID FETCH 1:* UID",
            "FETCH 4294967296 UID",
            "FETCH 1:4294967296 UID",
            "FETCH 1 BODY.PEEK[]<0.4294967296>",
        }).SetName("Fetch");

        yield return new TestCaseData((object)new[]
        {
            "EXAMINE Drafts",
            "FETCH 1 RFC822.TEXT",
            "FETCH 1 BODY[TEXT]",
            "FETCH 1 FLAGS",
        }).SetName("ExamineIsReadOnly");

        yield return new TestCaseData((object)new[]
        {
            "SELECT mime",
            "SEARCH ALL",
            "SEARCH ANSWERED", "SEARCH DELETED", "SEARCH DRAFT", "SEARCH FLAGGED", "SEARCH NEW", "SEARCH OLD", "SEARCH RECENT",
            "SEARCH SEEN", "SEARCH UNANSWERED", "SEARCH UNDELETED", "SEARCH UNDRAFT", "SEARCH UNFLAGGED", "SEARCH UNSEEN",
            // Not SEARCH UNKEYWORD: GNU imap4d 3.15 dies on it (the connection closes, nothing on stderr).
            "SEARCH KEYWORD foo",
            "SEARCH BCC nobody", "SEARCH CC example", "SEARCH FROM someone", "SEARCH TO other", "SEARCH SUBJECT attach",
            "SEARCH BODY attached", "SEARCH TEXT attached", "SEARCH HEADER Content-Type multipart",
            "SEARCH BEFORE 1-Jan-2020", "SEARCH ON 1-Jan-2019", "SEARCH SINCE 1-Jan-2019",
            "SEARCH SENTBEFORE 1-Jan-2020", "SEARCH SENTON 1-Jan-2019", "SEARCH SENTSINCE 1-Jan-2019",
            "SEARCH LARGER 1000", "SEARCH SMALLER 1000",
            "SEARCH UID 2:4", "SEARCH 2:4", "SEARCH NOT 2", "SEARCH OR 1 3", "SEARCH (1 2) SEEN",
            "STORE 2 +FLAGS (\\Seen)", "SEARCH SEEN", "SEARCH OLD NOT SEEN",
            "UID SEARCH ALL",
            "SEARCH CHARSET UTF-8 SUBJECT attach",
        }).SetName("Search");

        yield return new TestCaseData((object)new[]
        {
            "SELECT Drafts",
            "STORE 1 +FLAGS (\\Flagged)",
            "STORE 2 FLAGS.SILENT (\\Seen \\Answered)",
            "STORE 1:2 -FLAGS (\\Flagged)",
            "FETCH 1:* FLAGS",
            "UID STORE 2 +FLAGS (\\Draft)",
            "COPY 1 #archive:2023",
            "COPY 1 nosuch",
            "UID COPY 2 work/projects",
            "STATUS #archive:2023 (MESSAGES UIDNEXT)",
            "STORE 1 +FLAGS (\\Deleted)",
            "EXPUNGE",
            "FETCH 1:* (UID FLAGS)",
            "CHECK",
            "CLOSE",
            "SELECT work/projects",
            "FETCH 1:* (UID FLAGS)",
        }).SetName("StoreCopyExpunge");

        yield return new TestCaseData((object)new[]
        {
            "APPEND Drafts (\\Seen) \"05-Mar-2024 12:34:56 +0200\" {literal}",
            "APPEND Drafts {literal}",
            "APPEND nosuch {literal}",
            "APPEND #archive:a.b (\\Flagged) {literal}",
            "STATUS Drafts (MESSAGES UIDNEXT)",
            "EXAMINE Drafts",
            "FETCH 3:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
            // Last: GNU refuses it, so the mailboxes differ afterwards.
            "APPEND Drafts (\\Seen) {literal}",
        }).SetName("Append");

        yield return new TestCaseData((object)new[]
        {
            "CREATE newbox",
            "CREATE deep/er/",
            "CREATE #archive:x.y",
            "CREATE INBOX",
            "CREATE Drafts",
            "LIST \"\" \"*\"",
            "LIST \"#archive:\" \"*\"",
            "RENAME newbox renamed",
            "RENAME nosuch other",
            "RENAME renamed Drafts",
            "LIST \"\" \"*\"",
            "DELETE renamed",
            "DELETE nosuch",
            "DELETE #archive:x.y",
            "SUBSCRIBE Drafts",
            "LSUB \"\" \"Dr*\"",
            "UNSUBSCRIBE Drafts",
            "LSUB \"\" \"Dr*\"",
            "LIST \"\" \"*\"",
        }).SetName("CreateDeleteRename");
    }

    [TestCaseSource(nameof(Sessions))]
    public void SameAnswersAsGnuImap4d(string[] commands)
    {
        string name = TestContext.CurrentContext.Test.Name;
        string gnuTree = MakeTree("gnu-" + name);
        string ourTree = MakeTree("ours-" + name);
        var gnu = new List<GnuSessionTranscript>();
        var ours = new List<GnuSessionTranscript>();
        using (var gnuPeer = Start("GNU imap4d", GnuImap4d, gnuTree))
        using (var ourPeer = Start("imap4d", RepoPaths.Executable, ourTree))
        {
            foreach (string command in commands)
            {
                gnu.Add(Send(gnuPeer, name, command));
                ours.Add(Send(ourPeer, name, command));
            }
        }

        var report = new StringBuilder();
        for (int i = 0; i < commands.Length; i++)
        {
            var (g, o) = (gnu[i], ours[i]);
            foreach (var difference in GnuDeliberateDifferences.All)
            {
                if (g.SameAs(o))
                {
                    break;
                }

                if (difference.Rewrite(g, o) is { } rewritten && !(rewritten.Gnu.SameAs(g) && rewritten.Ours.SameAs(o)))
                {
                    (g, o) = rewritten;
                    _usedDifferences.Add(difference.Name);
                }
            }

            if (!g.SameAs(o))
            {
                report.Append($"{commands[i]}\n  GNU imap4d:\n{gnu[i].Render()}\n  ours:\n{ours[i].Render()}\n");
            }
        }

        Assert.That(report.ToString(), Is.Empty, "answers that differ from GNU imap4d 3.15 and are not a named deliberate difference");
    }

    /// <summary>The mailboxes of one session; the configuration file sits beside them.</summary>
    private string MakeTree(string name)
    {
        string tree = Path.Combine(_root, name);
        Mbox(Path.Combine(tree, "spool", Environment.UserName), Simple("INBOX", 3));
        Mbox(Path.Combine(tree, "home", "Drafts"), Simple("Drafts", 2));
        Mbox(Path.Combine(tree, "home", "work", "projects"), Simple("projects", 1));
        Mbox(Path.Combine(tree, "home", "mime"), MimeFixtures.Select(f =>
            File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "messages", f + ".eml"))).ToArray());
        Mbox(Path.Combine(tree, "archive", "2023"), Simple("2023", 2));
        Mbox(Path.Combine(tree, "archive", "a", "b"), Simple("a.b", 1));
        Mbox(Path.Combine(tree, "archive", "archive.mbox.1"), Simple("rotated", 1));
        Mbox(Path.Combine(tree, "users", "foo", "INBOX"), Simple("foo", 1));
        Mbox(Path.Combine(tree, "users", "foo", "Sent"), Simple("foo-sent", 1));
        File.WriteAllText(Path.Combine(tree, "imap4d.conf"), $$"""
            logging { severity notice; };
            mailbox { mailbox-pattern "{{tree}}/spool/${user}"; };
            namespace personal {
              prefix "" { directory "{{tree}}/home"; };
              prefix "#archive:" { directory "{{tree}}/archive"; delimiter "."; };
            };
            namespace other {
              prefix "~" { directory "{{tree}}/users/$user"; };
            };
            """);
        return tree;
    }

    private static string[] Simple(string mailbox, int count) => Enumerable.Range(1, count).Select(i => $"""
        From: Alice <alice@example.com>
        To: bob@example.org
        Subject: message {i} of {mailbox}
        Date: Mon, {i} Jan 2024 10:00:00 +0100
        Message-ID: <{i}.{mailbox}@example.com>

        Body line {i} of {mailbox}

        """).ToArray();

    /// <summary>Writes messages as an mbox: a From_ line each, body lines starting with "From " quoted.</summary>
    private static void Mbox(string path, string[] messages)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var sb = new StringBuilder();
        for (int i = 0; i < messages.Length; i++)
        {
            sb.Append($"From alice@example.com Mon Jan  {i + 1} 10:00:00 2024\n");
            foreach (string line in messages[i].Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
            {
                sb.Append(line.StartsWith("From ", StringComparison.Ordinal) ? ">" + line : line).Append('\n');
            }

            sb.Append('\n');
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static ImapPeer Start(string name, string program, string tree)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = tree };
        foreach (string arg in new[] { "--test", "--preauth", "--config-file=" + Path.Combine(tree, "imap4d.conf") })
        {
            info.ArgumentList.Add(arg);
        }

        return new ImapPeer(name, info);
    }

    private const string AppendedMessage = "From: Carol <carol@example.net>\r\nSubject: appended\r\nDate: Tue, 5 Mar 2024 12:00:00 +0200\r\n\r\nappended body\r\n";

    private static GnuSessionTranscript Send(ImapPeer peer, string session, string command)
    {
        var (untagged, status) = command.EndsWith(" {literal}", StringComparison.Ordinal)
            ? peer.Command(command[..^"{literal}".Length], Encoding.ASCII.GetBytes(AppendedMessage))
            : peer.Command(command);
        return GnuSessionTranscript.From(session, command, untagged, status);
    }
}
