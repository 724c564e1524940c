using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Search;

/// <summary>
/// SEARCH over a session on a small generated mailbox: every key, RFC 2047 headers, encoded
/// bodies, MIME structure, dates in zones, sequence and UID sets, literals, expunges.
/// </summary>
public class SearchCommandTests
{
    private const string Needle = "Gr\u00f6\u00dfenwahnquark";

    private MemoryMailStore _mail = null!;
    private TestClient _client = null!;

    /// <summary>1: Seen, plain ASCII, Date in -0800 the evening before its INTERNALDATE.</summary>
    private static string Message1 =>
        "From: Alice Example <alice@example.org>\r\nTo: bob@example.net\r\nCc: carol@example.com\r\n" +
        "Subject: Hello world\r\nDate: Mon, 2 Nov 2026 23:30:00 -0800\r\nMessage-ID: <1@example.org>\r\n\r\n" +
        "The quick brown fox jumps.\r\n";

    /// <summary>2: Answered Flagged $Work; a UTF-8 subject in two B words splitting "ö"; a base64 UTF-8 body.</summary>
    private static string Message2
    {
        get
        {
            byte[] subject = Encoding.UTF8.GetBytes(Needle);
            string word1 = Convert.ToBase64String(subject, 0, 3); // "Gr" and the first byte of "ö"
            string word2 = Convert.ToBase64String(subject, 3, subject.Length - 3);
            string body = Convert.ToBase64String(Encoding.UTF8.GetBytes("Gr\u00fc\u00dfe aus K\u00f6ln. The zebra is here.\r\n"),
                Base64FormattingOptions.InsertLineBreaks);
            return "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.de>\r\nTo: \"Team\" <team@example.com>\r\n" +
                   $"Subject: =?UTF-8?B?{word1}?=\r\n =?utf-8?b?{word2}?=\r\nDate: Wed, 04 Nov 2026 00:30:00 +0100\r\n" +
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                   body + "\r\n";
        }
    }

    /// <summary>3: Deleted Draft; Q-encoded ISO-8859-1 subject; multipart with QP text, a binary part and a message.</summary>
    private static string Message3 =>
        "From: dave@example.com\r\nTo: erin@example.com\r\nBcc: secret@example.com\r\nX-Empty-Test:\r\n" +
        "Subject: =?iso-8859-1?q?caf=E9_au_lait?=\r\nDate: 5 Nov 26 08:00 +0000\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
        "preamble\r\n--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
        "Caf=E9 cr=E8me br=FB=\r\nl=E9e\r\n" +
        "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        Convert.ToBase64String("hiddenattachmentword"u8.ToArray()) + "\r\n" +
        "--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: Inner marmalade\r\nFrom: inner@example.net\r\n\r\ninnerbodyword here\r\n" +
        "--b1--\r\nepilogue\r\n";

    /// <summary>4: no flags, no Date:, two To: fields, a 20 KB body ending in a needle.</summary>
    private static string Message4 =>
        "To: first@example.com\r\nSubject: plain big\r\nTo: second@example.com\r\n\r\n" +
        string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet\r\n", 700)) + "endneedle\r\n";

    [SetUp]
    public async Task SetUp()
    {
        _mail = new MemoryMailStore("search");
        using (var inbox = _mail.Store.Open("INBOX", readOnly: false))
        {
            Append(inbox, Message1, FlagSet.Of(MessageFlags.Seen), new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.Zero));
            Append(inbox, Message2, FlagSet.Of(MessageFlags.Answered | MessageFlags.Flagged, "$Work"),
                new DateTimeOffset(2026, 11, 4, 0, 30, 0, TimeSpan.FromHours(1)));
            Append(inbox, Message3, FlagSet.Of(MessageFlags.Deleted | MessageFlags.Draft),
                new DateTimeOffset(2026, 11, 5, 12, 0, 0, TimeSpan.Zero));
            Append(inbox, Message4, FlagSet.Empty, new DateTimeOffset(2026, 11, 6, 23, 0, 0, TimeSpan.FromHours(-5)));
        }

        _client = NewClient();
        await _client.ReadLineAsync();
        await _client.CommandAsync("s", "SELECT INBOX");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        _mail.Dispose();
    }

    private TestClient NewClient() => _mail.NewClient();

    private static void Append(IMailbox mailbox, string message, FlagSet flags, DateTimeOffset date) =>
        mailbox.Append(new MemoryStream(Encoding.UTF8.GetBytes(message)), flags, date);

    /// <summary>Runs a command and returns its "* SEARCH" line (exactly one, and an OK).</summary>
    private async Task<string> Search(string command, TestClient? client = null)
    {
        var lines = await (client ?? _client).CommandAsync("t", command);
        Assert.That(lines[^1], Does.StartWith("t OK"), string.Join("\n", lines));
        var search = lines.Where(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).ToList();
        Assert.That(search, Has.Count.EqualTo(1), string.Join("\n", lines));
        return search[0];
    }

    /// <summary>Runs a command and returns every untagged line, after checking the tagged answer.</summary>
    private async Task<List<string>> Untagged(string command, string expectTagged = "t OK")
    {
        var lines = await _client.CommandAsync("t", command);
        Assert.That(lines[^1], Does.StartWith(expectTagged), string.Join("\n", lines));
        return lines.Where(l => l.StartsWith("* ", StringComparison.Ordinal)).ToList();
    }

    // RFC 4731 ESEARCH.
    [TestCase("SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN", "* ESEARCH (TAG \"t\") MIN 2 MAX 4 ALL 2:4 COUNT 3")]
    [TestCase("SEARCH RETURN (COUNT) ALL", "* ESEARCH (TAG \"t\") COUNT 4")]
    [TestCase("SEARCH RETURN () NOT DELETED", "* ESEARCH (TAG \"t\") ALL 1:2,4")]
    [TestCase("UID SEARCH RETURN (MAX) FLAGGED", "* ESEARCH (TAG \"t\") UID MAX 2")]
    [TestCase("SEARCH RETURN (MIN MAX ALL COUNT) KEYWORD nothing", "* ESEARCH (TAG \"t\") COUNT 0")]
    [TestCase("SEARCH RETURN (MIN) KEYWORD nothing", "* ESEARCH (TAG \"t\")")]
    public async Task ExtendedSearchAnswersWithOneEsearchLine(string command, string expected) =>
        Assert.That(await Untagged(command), Is.EqualTo(new[] { expected }));

    [Test]
    public async Task AnUnknownReturnOptionIsBad() =>
        await Untagged("SEARCH RETURN (PARTIAL-ISH) ALL", "t BAD");

    // RFC 5182 SEARCHRES.
    [Test]
    public async Task SavedResultIsUsableAsDollarAndFollowsExpunges()
    {
        Assert.That(await Untagged("SEARCH RETURN (SAVE) OR FLAGGED DELETED"), Is.Empty, "SAVE alone answers nothing");
        Assert.That(await Untagged("FETCH $ (UID)"), Is.EqualTo(new[] { "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)" }));
        Assert.That(await Search("UID SEARCH $"), Is.EqualTo("* SEARCH 2 3"));
        Assert.That(await Search("SEARCH $ SEEN"), Is.EqualTo("* SEARCH"));

        await Untagged("EXPUNGE"); // message 3 was \Deleted
        var left = await Untagged("UID FETCH $ (FLAGS)");
        Assert.That(left, Has.Count.EqualTo(1));
        Assert.That(left[0], Does.StartWith("* 2 FETCH (UID 2 FLAGS (\\Answered \\Flagged $Work"));

        Assert.That(await Untagged("SEARCH RETURN (SAVE MIN COUNT) ALL"), Is.EqualTo(new[] { "* ESEARCH (TAG \"t\") MIN 1 COUNT 3" }));
        Assert.That(await Search("SEARCH $"), Is.EqualTo("* SEARCH 1 2 3"), "with COUNT, SAVE keeps every hit");
        await Untagged("SEARCH RETURN (SAVE MAX) ALL");
        Assert.That(await Search("SEARCH $"), Is.EqualTo("* SEARCH 3"), "with MAX alone, SAVE keeps the last");

        await Untagged("SEARCH RETURN (SAVE) CHARSET X-NO-SUCH-CHARSET SUBJECT a", "t NO");
        Assert.That(await Search("SEARCH $"), Is.EqualTo("* SEARCH"), "a failed SAVE search leaves $ empty");
    }

    [Test]
    public async Task DollarIsEmptyInANewSelection()
    {
        await Untagged("SEARCH RETURN (SAVE) ALL");
        await Untagged("SELECT INBOX");
        Assert.That(await Search("SEARCH $"), Is.EqualTo("* SEARCH"));
        Assert.That(await Untagged("FETCH $ FLAGS"), Is.Empty);
    }

    // RFC 5032 WITHIN: every message here is from November 2026, weeks before the test runs.
    [TestCase("OLDER 1", "1 2 3 4")]
    [TestCase("YOUNGER 1", "")]
    [TestCase("YOUNGER 4000000000", "1 2 3 4")]
    [TestCase("NOT YOUNGER 1", "1 2 3 4")]
    [TestCase("OLDER 1 SEEN", "1")]
    public async Task OlderAndYounger(string keys, string expected) =>
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));

    [TestCase("ALL", "1 2 3 4")]
    [TestCase("SEEN", "1")]
    [TestCase("UNSEEN", "2 3 4")]
    [TestCase("ANSWERED", "2")]
    [TestCase("UNANSWERED", "1 3 4")]
    [TestCase("FLAGGED", "2")]
    [TestCase("UNFLAGGED", "1 3 4")]
    [TestCase("DELETED", "3")]
    [TestCase("UNDELETED", "1 2 4")]
    [TestCase("DRAFT", "3")]
    [TestCase("UNDRAFT", "1 2 4")]
    [TestCase("KEYWORD $work", "2")]
    [TestCase("UNKEYWORD $Work", "1 3 4")]
    [TestCase("KEYWORD $Other", "")]
    [TestCase("RECENT", "1 2 3 4")]
    [TestCase("OLD", "")]
    [TestCase("NEW", "2 3 4")]
    [TestCase("LARGER 10000", "4")]
    [TestCase("SMALLER 10000", "1 2 3")]
    [TestCase("SMALLER 1", "")]
    public async Task FlagsAndSizes(string keys, string expected)
    {
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    [TestCase("FROM alice", "1")]
    [TestCase("FROM EXAMPLE.DE", "2")]
    [TestCase("CHARSET UTF-8 FROM \"j\u00d6rg m\u00fcller\"", "2")]
    [TestCase("FROM \"=?ISO-8859-1?Q?J=F6rg\"", "2")]
    [TestCase("TO team", "2")]
    [TestCase("TO second", "4")]
    [TestCase("TO first", "4")]
    [TestCase("CC carol", "1")]
    [TestCase("BCC secret", "3")]
    [TestCase("SUBJECT hello", "1")]
    [TestCase("SUBJECT \"WORLD\"", "1")]
    [TestCase("CHARSET UTF-8 SUBJECT \"gr\u00d6\u00dfenwahn\"", "2")]
    [TestCase("SUBJECT \"CAF\u00c9 AU\"", "3")]
    [TestCase("SUBJECT caf=E9", "")]
    [TestCase("HEADER X-Empty-Test \"\"", "3")]
    [TestCase("HEADER message-id \"\"", "1")]
    [TestCase("HEADER Message-ID 1@EXAMPLE", "1")]
    [TestCase("HEADER X-None \"\"", "")]
    [TestCase("HEADER Content-Transfer-Encoding base64", "2")]
    public async Task HeaderKeys(string keys, string expected)
    {
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    [TestCase("FROM user-from@domain.org", "5")]
    [TestCase("FROM \"user-from@domain.org\"", "5")]
    [TestCase("FROM comment", "5")]
    [TestCase("TO \"Mary Smith <mary@x.test>\"", "5")]
    [TestCase("TO \"mary smith\"", "5")]
    [TestCase("TO mary@x.test", "5")]
    [TestCase("CHARSET UTF-8 CC \"Andr\u00e9 <andre@example.fr>\"", "5")]
    [TestCase("CC \"Friends\"", "5")]
    [TestCase("CC pat@y.test", "5")]
    [TestCase("CC \"smith@x.test\"", "")]
    public async Task AddressKeysMatchTheParsedAddressToo(string keys, string expected)
    {
        // RFC 3501 keeps substring matching on the field; the address as ENVELOPE parses it
        // (comments, quotes and folding gone, display names decoded) matches as well.
        using (var inbox = _mail.Store.Open("INBOX", readOnly: false))
        {
            Append(inbox, "From: <user-from (comment)@ (comment) domain.org>\r\n" +
                "To: \"Mary\"\r\n \"Smith\" (home) <mary @ x.test>\r\n" +
                "Cc: =?ISO-8859-1?Q?Andr=E9?= <andre (x) @example.fr>, Friends: pat (p) @ y.test;\r\n" +
                "Subject: addresses\r\n\r\nbody\r\n", FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        await _client.CommandAsync("n", "NOOP");
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    [TestCaseSource(typeof(Imap4d.Tests.Mime.CharsetSamples), nameof(Imap4d.Tests.Mime.CharsetSamples.Cases))]
    public async Task EveryCharsetIsFoundWithAUtf8Needle(string charset, byte[] bytes, string text)
    {
        // A base64 body and an RFC 2047 subject in the charset; the client searches in UTF-8.
        string encoded = Convert.ToBase64String(bytes);
        using (var inbox = _mail.Store.Open("INBOX", readOnly: false))
        {
            Append(inbox, $"From: a@example.org\r\nSubject: =?{charset}?B?{encoded}?=\r\nMIME-Version: 1.0\r\n" +
                $"Content-Type: text/plain; charset=\"{charset}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n",
                FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        await _client.CommandAsync("n", "NOOP");
        Assert.That(await Search($"SEARCH CHARSET UTF-8 BODY \"{text}\""), Is.EqualTo("* SEARCH 5"));
        Assert.That(await Search($"SEARCH CHARSET UTF-8 SUBJECT \"{text}\""), Is.EqualTo("* SEARCH 5"));
        Assert.That(await Search($"SEARCH CHARSET UTF-8 TEXT \"{text}\""), Is.EqualTo("* SEARCH 5"));
    }

    [TestCase("BODY zebra", "2")]
    [TestCase("CHARSET UTF-8 BODY \"GR\u00dc\u00dfE AUS K\u00d6LN\"", "2")]
    [TestCase("BODY \"cr\u00e8me br\u00fbl\u00e9e\"", "3")]
    [TestCase("BODY hiddenattachmentword", "")]
    [TestCase("BODY innerbodyword", "3")]
    [TestCase("BODY marmalade", "3")]
    [TestCase("BODY preamble", "")]
    [TestCase("BODY hello", "")]
    [TestCase("BODY endneedle", "4")]
    [TestCase("BODY \"\"", "1 2 3 4")]
    [TestCase("TEXT hello", "1")]
    [TestCase("TEXT \"subject: hello\"", "1")]
    [TestCase("TEXT zebra", "2")]
    [TestCase("TEXT example", "1 2 3 4")]
    [TestCase("TEXT octet-stream", "3")]
    [TestCase("BODY octet-stream", "")]
    [TestCase("TEXT hiddenattachmentword", "")]
    [TestCase("OR BODY zebra BODY endneedle", "2 4")]
    [TestCase("BODY zebra BODY endneedle", "")]
    [TestCase("NOT BODY fox", "2 3 4")]
    public async Task BodyKeys(string keys, string expected)
    {
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    // INTERNALDATE: 1 = 3-Nov 10:00 +0000, 2 = 4-Nov 00:30 +0100 (3-Nov in UTC), 3 = 5-Nov, 4 = 6-Nov 23:00 -0500 (7-Nov UTC).
    // Date:         1 = 2-Nov 23:30 -0800 (3-Nov UTC), 2 = 4-Nov 00:30 +0100, 3 = "5 Nov 26", 4 = none.
    [TestCase("ON 3-Nov-2026", "1")]
    [TestCase("ON 4-Nov-2026", "2")]
    [TestCase("ON 6-Nov-2026", "4")]
    [TestCase("BEFORE 4-Nov-2026", "1")]
    [TestCase("SINCE 5-Nov-2026", "3 4")]
    [TestCase("SINCE \"04-Nov-2026\" BEFORE 6-Nov-2026", "2 3")]
    [TestCase("SENTON 2-Nov-2026", "1")]
    [TestCase("SENTON 3-Nov-2026", "")]
    [TestCase("SENTON 4-Nov-2026", "2")]
    [TestCase("SENTON 5-Nov-2026", "3")]
    [TestCase("SENTBEFORE 4-Nov-2026", "1")]
    [TestCase("SENTSINCE 4-Nov-2026", "2 3")]
    [TestCase("NOT SENTON 2-Nov-2026", "2 3 4")]
    public async Task DateKeys(string keys, string expected)
    {
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    [TestCase("2:*", "2 3 4")]
    [TestCase("*:3", "3 4")]
    [TestCase("*", "4")]
    [TestCase("1,3", "1 3")]
    [TestCase("3,1", "1 3")]
    [TestCase("5:*", "4")]
    [TestCase("7", "")]
    [TestCase("UID 2:3", "2 3")]
    [TestCase("UID *", "4")]
    [TestCase("OR SEEN FLAGGED DELETED", "")]
    [TestCase("OR SEEN (FLAGGED UNDELETED)", "1 2")]
    [TestCase("NOT SEEN FLAGGED", "2")]
    [TestCase("NOT (SEEN UNFLAGGED)", "2 3 4")]
    [TestCase("OR OR SEEN DELETED 4", "1 3 4")]
    [TestCase("(1:3) UNSEEN", "2 3")]
    public async Task SetsAndCombinations(string keys, string expected)
    {
        Assert.That(await Search("SEARCH " + keys), Is.EqualTo(("* SEARCH " + expected).TrimEnd()));
    }

    [Test]
    public async Task LiteralSearchStringWithCharsetUtf8()
    {
        byte[] needle = Encoding.UTF8.GetBytes(Needle.ToUpperInvariant());
        _client.Send($"t SEARCH CHARSET UTF-8 SUBJECT {{{needle.Length}}}");
        Assert.That(await _client.ReadLineAsync(), Does.StartWith("+"));
        _client.SendRaw([.. needle, .. "\r\n"u8]);
        var lines = new List<string>();
        string line;
        do
        {
            line = (await _client.ReadLineAsync())!;
            lines.Add(line);
        }
        while (!line.StartsWith("t ", StringComparison.Ordinal));

        Assert.That(lines, Is.EqualTo(new[] { "* SEARCH 2", "t OK SEARCH Completed" }));
    }

    [Test]
    public async Task UnknownCharsetIsNoBadCharset()
    {
        var lines = await _client.CommandAsync("t", "SEARCH CHARSET X-MARTIAN SUBJECT x");
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("t NO [BADCHARSET (UTF-8 US-ASCII)]"));
    }

    [TestCase("SEARCH")]
    [TestCase("SEARCH FOO")]
    [TestCase("SEARCH OR SEEN")]
    [TestCase("SEARCH SINCE 30-Feb-2026")]
    [TestCase("UID SEARCH ()")]
    public async Task BadSyntaxIsBad(string command)
    {
        var lines = await _client.CommandAsync("t", command);
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0], Does.StartWith("t BAD"));
    }

    [Test]
    public async Task SearchNeedsASelectedMailbox()
    {
        await _client.CommandAsync("c", "CLOSE");
        var lines = await _client.CommandAsync("t", "SEARCH ALL");
        Assert.That(lines[^1], Does.StartWith("t BAD").Or.StartWith("t NO"));
    }

    [Test]
    public async Task UidSearchAnswersUidsAfterAnExpunge()
    {
        await _client.CommandAsync("a", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await _client.CommandAsync("b", "UID EXPUNGE 1");
        Assert.That(await Search("SEARCH ALL"), Is.EqualTo("* SEARCH 1 2 3"));
        Assert.That(await Search("UID SEARCH ALL"), Is.EqualTo("* SEARCH 2 3 4"));
        Assert.That(await Search("UID SEARCH UID 3:*"), Is.EqualTo("* SEARCH 3 4"));
        Assert.That(await Search("UID SEARCH 1"), Is.EqualTo("* SEARCH 2"));
        Assert.That(await Search("SEARCH UID 4"), Is.EqualTo("* SEARCH 3"));
        Assert.That(await Search("UID SEARCH BODY zebra"), Is.EqualTo("* SEARCH 2"));
        Assert.That(await Search("SEARCH BODY zebra"), Is.EqualTo("* SEARCH 1"));
    }

    [Test]
    public async Task MessagesExpungedByOthersAreSkippedAndNotAnnouncedDuringSearch()
    {
        await using var other = NewClient();
        await other.ReadLineAsync();
        await other.CommandAsync("s", "SELECT INBOX");
        var expunge = await other.CommandAsync("e", "EXPUNGE");
        Assert.That(expunge, Does.Contain("* 3 EXPUNGE"));

        // The first command after the expunge still runs on this session's snapshot; the change is
        // taken in after it but not announced, since SEARCH addresses messages by number.
        var first = await _client.CommandAsync("t", "SEARCH ALL");
        Assert.That(first.Any(l => l.EndsWith("EXPUNGE", StringComparison.Ordinal)), Is.False, string.Join("\n", first));
        var lines = await _client.CommandAsync("t", "SEARCH ALL");
        Assert.That(lines, Does.Contain("* SEARCH 1 2 4"), "the expunged message is skipped, the numbers stay");
        Assert.That(lines.Any(l => l.EndsWith("EXPUNGE", StringComparison.Ordinal)), Is.False, string.Join("\n", lines));
        // UID SEARCH does not withhold expunges: it skips the message, then the expunge is announced.
        var uid = await _client.CommandAsync("u", "UID SEARCH 3:4");
        Assert.That(uid, Is.EqualTo(new[] { "* SEARCH 4", "* 3 EXPUNGE", "u OK UID SEARCH Completed" }));
        Assert.That(await Search("SEARCH ALL"), Is.EqualTo("* SEARCH 1 2 3"));
    }
}
