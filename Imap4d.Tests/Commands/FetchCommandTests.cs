using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands;

/// <summary>FETCH items over a session: structure, envelope, sections, partials, \Seen rules, UID FETCH.</summary>
public class FetchCommandTests
{
    private const string Multipart =
        "From: Alice <alice@example.org>\r\nTo: bob@example.net, Team: carol@example.com, dan@example.com;\r\n" +
        "Subject: =?UTF-8?Q?Caf=C3=A9?=\r\nDate: Tue, 3 Nov 2026 18:02:41 +0000\r\nMessage-ID: <m1@example.org>\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
        "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello there\r\n" +
        "--b1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: x@y.z\r\n\r\nInner body\r\n" +
        "--b1--\r\nepilogue\r\n";

    private MemoryMailStore _mail = null!;
    private TestClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _mail = new MemoryMailStore("fetch");
        _mail.Append("INBOX", Multipart, FlagSet.Empty, new DateTimeOffset(2026, 11, 3, 18, 2, 41, TimeSpan.Zero));
        _mail.Append("INBOX", "Subject: plain\r\n\r\nJust text.\r\n", FlagSet.Of(MessageFlags.Seen),
            new DateTimeOffset(2026, 11, 4, 9, 0, 0, TimeSpan.FromHours(1)));
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

    private async Task<string> Fetch(string command)
    {
        var lines = await _client.CommandAsync("f", command);
        Assert.That(lines[^1], Does.StartWith("f OK"), string.Join("\n", lines));
        return string.Join("\n", lines);
    }

    [Test]
    public async Task EnvelopeHasGroupsAndRawEncodedWords()
    {
        string text = await Fetch("FETCH 1 ENVELOPE");
        Assert.That(text, Does.Contain("\"Tue, 3 Nov 2026 18:02:41 +0000\" \"=?UTF-8?Q?Caf=C3=A9?=\""));
        Assert.That(text, Does.Contain("((\"Alice\" NIL \"alice\" \"example.org\"))"));
        Assert.That(text, Does.Contain("(NIL NIL \"Team\" NIL)(NIL NIL \"carol\" \"example.com\")(NIL NIL \"dan\" \"example.com\")(NIL NIL NIL NIL)"));
        Assert.That(text, Does.Contain("\"<m1@example.org>\")"));
    }

    [Test]
    public async Task BodyStructureNumbersPartsInsideMessages()
    {
        string text = await Fetch("FETCH 1 BODYSTRUCTURE");
        Assert.That(text, Does.Contain("(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 11 0"));
        Assert.That(text, Does.Contain("\"message\" \"rfc822\""));
        Assert.That(text, Does.Contain("\"mixed\" (\"boundary\" \"b1\")"));
        string body = await Fetch("FETCH 1 BODY");
        Assert.That(body, Does.Not.Contain("boundary"), "BODY has no extension data");
    }

    [Test]
    public async Task SectionsAndPartials()
    {
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[1]"), Does.Contain("BODY[1] {11}\nHello there"));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[2.HEADER]"), Does.Contain("BODY[2.HEADER] {31}\nSubject: inner"));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[2.TEXT]"), Does.Contain("BODY[2.TEXT] {10}\nInner body"));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[2.MIME]"), Does.Contain("BODY[2.MIME] {32}\nContent-Type: message/rfc822"));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[2.1]"), Does.Contain("BODY[2.1] {10}\nInner body"));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[HEADER.FIELDS (subject)]"), Does.Contain("BODY[HEADER.FIELDS (subject)] {"));
        Assert.That(await Fetch("FETCH 2 BODY.PEEK[]<9.5>"), Does.Contain("BODY[]<9> {5}\nplain"));
        Assert.That(await Fetch("FETCH 2 BODY.PEEK[TEXT]<100.5>"), Does.Contain("BODY[TEXT]<100> \"\""));
        Assert.That(await Fetch("FETCH 1 BODY.PEEK[9]"), Does.Contain("BODY[9] \"\""));
        Assert.That(await Fetch("FETCH 2 RFC822.HEADER"), Does.Contain("RFC822.HEADER {18}\nSubject: plain"));
    }

    [Test]
    public async Task BodyWithoutPeekSetsSeenAndReportsFlags()
    {
        string text = await Fetch("FETCH 1 BODY[TEXT]");
        Assert.That(text, Does.Contain("FLAGS (\\Seen \\Recent)"));
        Assert.That(await Fetch("FETCH 1 FLAGS"), Does.Contain("FLAGS (\\Seen \\Recent)"));
        string peek = await Fetch("FETCH 2 (BODY.PEEK[] FLAGS)");
        Assert.That(peek, Does.Contain("FLAGS (\\Seen \\Recent)"));
    }

    /// <summary>Issue 11: the FLAGS a body fetch sets comes right before that item, where GNU imap4d puts it.</summary>
    [Test]
    public async Task ImplicitFlagsComeBeforeTheItemThatSetsSeen()
    {
        await Fetch("STORE 2 -FLAGS.SILENT (\\Seen)");
        string text = await Fetch("FETCH 2 (UID BODY[TEXT] RFC822.SIZE)");
        Assert.That(text, Does.Match(@"^\* 2 FETCH \(UID \d+ FLAGS \(\\Seen \\Recent\) BODY\[TEXT\] "));
    }

    [Test]
    public async Task MacrosAndUidFetch()
    {
        string all = await Fetch("FETCH 2 ALL");
        Assert.That(all, Does.Contain("INTERNALDATE \"04-Nov-2026 09:00:00 +0100\""));
        Assert.That(all, Does.Contain("RFC822.SIZE 30"));
        Assert.That(all, Does.Contain("ENVELOPE (NIL \"plain\""));
        string uid = await Fetch("UID FETCH 2 FLAGS");
        Assert.That(uid, Does.Contain("* 2 FETCH (UID 2 FLAGS"));
        Assert.That(await Fetch("UID FETCH 5:9 FLAGS"), Does.Not.Contain("FETCH ("));
        // The largest UID is a number, not "*": clients send 1:4294967295 to mean "all".
        string everything = await Fetch("UID FETCH 1:4294967295 FLAGS");
        Assert.That(everything, Does.Contain("* 1 FETCH (UID 1 FLAGS").And.Contain("* 2 FETCH (UID 2 FLAGS"));
    }

    [TestCase("FETCH 1 (BOGUS)")]
    [TestCase("FETCH 1 BODY[HEADER.FIELDS]")]
    [TestCase("FETCH 1 BODY[1.0]")]
    [TestCase("FETCH 1 BODY[]<1.0>")]
    [TestCase("FETCH x FLAGS")]
    [TestCase("FETCH 1 ()")]
    public async Task BadFetchesAreBad(string command)
    {
        var lines = await _client.CommandAsync("b", command);
        Assert.That(lines[^1], Does.StartWith("b BAD"));
    }
}
