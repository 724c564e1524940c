using Imap4d.Storage;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Sort;

/// <summary>
/// SORT, UID SORT, ESORT and THREAD over a session on seven messages made so that every key
/// orders them differently: "Lunch" (2) with replies 1 and 5, "[team] Budget" (3) with a
/// forward (4, no Date:, so its internal date counts), a reply without references (6) and an
/// unrelated "budget" (7).
/// </summary>
public class SortThreadCommandTests
{
    private MemoryMailStore _mail = null!;
    private TestClient _client = null!;

    private static string Message(string header, int bodyBytes) =>
        header.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + new string('x', bodyBytes) + "\r\n";

    private static readonly (string Text, int Day)[] Messages =
    [
        (Message("From: Carol <carol@example.org>\nTo: Zoe <zoe@example.org>\nCc: mike@example.org\nSubject: Re: Lunch\n" +
                 "Date: Tue, 3 Nov 2026 12:00:00 +0000\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\n", 2000), 5),
        (Message("From: alice@example.org\nTo: bob@example.org\nSubject: Lunch\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n" +
                 "Message-ID: <a@x>\n", 1000), 4),
        (Message("From: \"Zack\" <Bob@example.org>\nTo: \"Alice\" <alice@example.org>\nSubject: [team] Budget\n" +
                 "Date: Wed, 4 Nov 2026 08:00:00 -0500\nMessage-ID: <c@x>\n", 4000), 3),
        (Message("From: <dave@example.org>\nSubject: Fwd: budget\nMessage-ID: <d@x>\nReferences: <c@x>\n", 500), 1),
        (Message("From: =?UTF-8?Q?=C3=89mile?= <emile@example.org>\nSubject: Re: Re: lunch\n" +
                 "Date: Wed, 4 Nov 2026 09:00:00 +0000\nMessage-ID: <e@x>\nReferences: <a@x> <b@x>\n", 3000), 6),
        (Message("From: frank@example.org\nTo: zoe@example.org\nSubject: Re: Budget\nDate: Thu, 5 Nov 2026 10:00:00 +0000\n" +
                 "Message-ID: <f@x>\n", 100), 7),
        (Message("From: gina@example.org\nSubject: budget\nDate: Fri, 6 Nov 2026 10:00:00 +0000\nMessage-ID: <g@x>\n", 10), 8),
    ];

    [SetUp]
    public async Task SetUp()
    {
        _mail = new MemoryMailStore("sort", withFetchCache: true);
        foreach (var (text, day) in Messages)
        {
            _mail.Append("INBOX", text, FlagSet.Empty, new DateTimeOffset(2026, 11, day, 12, 0, 0, TimeSpan.Zero));
        }

        _client = _mail.NewClient();
        await _client.ReadLineAsync();
        await _client.CommandAsync("s", "SELECT INBOX");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _client.DisposeAsync();
        _mail.Dispose();
    }

    private async Task<List<string>> Untagged(string command, string expectTagged = "t OK")
    {
        var lines = await _client.CommandAsync("t", command);
        Assert.That(lines[^1], Does.StartWith(expectTagged), string.Join("\n", lines));
        return lines.Where(l => l.StartsWith("* ", StringComparison.Ordinal)).ToList();
    }

    [TestCase("SORT (DATE) UTF-8 ALL", "* SORT 4 2 1 5 3 6 7")]
    [TestCase("SORT (ARRIVAL) UTF-8 ALL", "* SORT 4 3 2 1 5 6 7")]
    [TestCase("SORT (SUBJECT) UTF-8 ALL", "* SORT 3 4 6 7 1 2 5")]
    [TestCase("SORT (SUBJECT DATE) UTF-8 ALL", "* SORT 4 3 6 7 2 1 5")]
    [TestCase("SORT (REVERSE SUBJECT DATE) US-ASCII ALL", "* SORT 2 1 5 4 3 6 7")]
    [TestCase("SORT (FROM) UTF-8 ALL", "* SORT 2 3 1 4 5 6 7")]
    [TestCase("SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 1 4 5 6 7 3")]
    [TestCase("SORT (TO) UTF-8 ALL", "* SORT 4 5 7 3 2 1 6")]
    [TestCase("SORT (DISPLAYTO) UTF-8 ALL", "* SORT 4 5 7 3 2 1 6")]
    [TestCase("SORT (CC) UTF-8 ALL", "* SORT 2 3 4 5 6 7 1")]
    [TestCase("SORT (SIZE) UTF-8 ALL", "* SORT 7 6 4 2 1 5 3")]
    [TestCase("SORT (REVERSE SIZE) UTF-8 ALL", "* SORT 3 5 1 2 4 6 7")]
    [TestCase("SORT (REVERSE ARRIVAL) UTF-8 ALL", "* SORT 7 6 5 1 2 3 4")]
    [TestCase("sort (date) utf-8 SUBJECT lunch", "* SORT 2 1 5")]
    [TestCase("SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"", "* SORT")]
    [TestCase("UID SORT (DATE) UTF-8 2:4", "* SORT 4 2 3")]
    [TestCase("SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL", "* ESEARCH (TAG \"t\") MIN 4 MAX 7 ALL 4,2,1,5,3,6:7 COUNT 7")]
    [TestCase("SORT RETURN () (SUBJECT) UTF-8 ALL", "* ESEARCH (TAG \"t\") ALL 3:4,6:7,1:2,5")]
    [TestCase("UID SORT RETURN (COUNT) (DATE) UTF-8 SUBJECT lunch", "* ESEARCH (TAG \"t\") UID COUNT 3")]
    [TestCase("SORT RETURN (PARTIAL 2:3) (DATE) UTF-8 ALL", "* ESEARCH (TAG \"t\") PARTIAL (2:3 2,1)")]
    [TestCase("SORT RETURN (PARTIAL 9:10 COUNT) (DATE) UTF-8 ALL", "* ESEARCH (TAG \"t\") PARTIAL (9:10 NIL) COUNT 7")]
    [TestCase("SORT RETURN (MIN MAX) (DATE) UTF-8 KEYWORD none", "* ESEARCH (TAG \"t\")")]
    [TestCase("THREAD REFERENCES UTF-8 ALL", "* THREAD (2 1 5)((3 (4)(6))(7))")]
    [TestCase("THREAD REFS UTF-8 ALL", "* THREAD (2 1 5)(3 4)(6)(7)")]
    [TestCase("THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (4 (3)(6)(7))(2 (1)(5))")]
    [TestCase("THREAD ORDEREDSUBJECT UTF-8 SUBJECT lunch NOT FROM emile", "* THREAD (2 1)")]
    [TestCase("THREAD REFERENCES US-ASCII KEYWORD none", "* THREAD")]
    public async Task Answers(string command, string expected) =>
        Assert.That(await Untagged(command), Is.EqualTo(new[] { expected }));

    [TestCase("SORT (FOO) UTF-8 ALL")]
    [TestCase("SORT (REVERSE) UTF-8 ALL")]
    [TestCase("SORT () UTF-8 ALL")]
    [TestCase("SORT DATE UTF-8 ALL")]
    [TestCase("SORT (DATE)")]
    [TestCase("SORT (DATE) UTF-8")]
    [TestCase("SORT RETURN (ALL PARTIAL 1:2) (DATE) UTF-8 ALL")]
    [TestCase("SORT RETURN (PARTIAL 0:2) (DATE) UTF-8 ALL")]
    [TestCase("THREAD FOO UTF-8 ALL")]
    [TestCase("THREAD REFERENCES UTF-8")]
    public async Task BrokenCommandsAreBad(string command) => await Untagged(command, "t BAD");

    [Test]
    public async Task AnUnknownCharsetIsNoBadcharset()
    {
        var lines = await _client.CommandAsync("t", "SORT (DATE) X-UNKNOWN ALL");
        Assert.That(lines[^1], Does.StartWith("t NO [BADCHARSET"));
        lines = await _client.CommandAsync("t", "THREAD REFS X-UNKNOWN ALL");
        Assert.That(lines[^1], Does.StartWith("t NO [BADCHARSET"));
    }

    [Test]
    public async Task SortSavesForDollarAndReadsDollar()
    {
        Assert.That(await Untagged("SORT RETURN (SAVE) (DATE) UTF-8 SUBJECT lunch"), Is.Empty);
        Assert.That(await Untagged("SEARCH $"), Is.EqualTo(new[] { "* SEARCH 1 2 5" }));
        Assert.That(await Untagged("SORT (REVERSE DATE) UTF-8 $"), Is.EqualTo(new[] { "* SORT 5 1 2" }));
        Assert.That(await Untagged("SORT RETURN (SAVE MIN) (DATE) UTF-8 ALL"), Is.EqualTo(new[] { "* ESEARCH (TAG \"t\") MIN 4" }));
        Assert.That(await Untagged("UID SEARCH $"), Is.EqualTo(new[] { "* SEARCH 4" }));
    }

    [Test]
    public async Task NumbersFollowExpungesAndUidsStay()
    {
        await Untagged("STORE 1 +FLAGS.SILENT (\\Deleted)");
        await Untagged("EXPUNGE");
        Assert.That(await Untagged("UID SORT (DATE) UTF-8 ALL"), Is.EqualTo(new[] { "* SORT 4 2 5 3 6 7" }));
        Assert.That(await Untagged("SORT (DATE) UTF-8 ALL"), Is.EqualTo(new[] { "* SORT 3 1 4 2 5 6" }));
        Assert.That(await Untagged("UID THREAD REFERENCES UTF-8 ALL"), Is.EqualTo(new[] { "* THREAD (2 5)((3 (4)(6))(7))" }));
        Assert.That(await Untagged("THREAD REFERENCES UTF-8 ALL"), Is.EqualTo(new[] { "* THREAD (1 4)((2 (3)(5))(6))" }));
    }

    [Test]
    public async Task CapabilitiesAreAdvertised()
    {
        var caps = (await Untagged("CAPABILITY"))[0].Split(' ');
        Assert.That(caps, Is.SupersetOf(new[] { "SORT", "SORT=DISPLAY", "ESORT", "CONTEXT=SORT", "I18NLEVEL=1", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "THREAD=REFS" }));
    }
}
