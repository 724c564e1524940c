using Imap4d.Storage;
using Imap4d.Storage.Index;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands;

/// <summary>
/// Header fields served from the FETCH cache (Commands.CachedHeaderFields) must be exactly what
/// the message itself gives, for FETCH BODY[HEADER.FIELDS] and for SEARCH header keys.
/// </summary>
public class CachedHeaderFieldsTests
{
    private static readonly string[] Messages =
    [
        "Received: from a\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: folded\r\n  subject line\r\n" +
        "To: second@example.net\r\nX-Foo: bar\r\nDate: Tue, 3 Nov 2026 18:02:41 +0000\r\n\r\nBody text\r\n",
        "Subject: header only, no line end\r\nFrom: x@example.org",
        "Subject: header only\r\nFrom: y@example.org\r\n",
        "Subject: empty body\r\n\r\n",
        "X-Only: nothing cached\r\n\r\nbody\r\n",
        "subject: =?UTF-8?Q?Caf=C3=A9?=\r\nFROM: Needle <needle@example.org>\r\nbroken line without colon\r\n\r\nbody\r\n",
    ];

    private MemoryMailStore _mail = null!;
    private TestClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _mail = new MemoryMailStore("hdrcache", withFetchCache: true);
        foreach (string message in Messages)
        {
            _mail.Append("INBOX", message, FlagSet.Empty, new DateTimeOffset(2026, 11, 3, 18, 2, 41, TimeSpan.Zero));
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

    private async Task<string> Command(string command)
    {
        var lines = await _client.CommandAsync("c", command);
        Assert.That(lines[^1], Does.StartWith("c OK"), string.Join("\n", lines));
        return string.Join("\n", lines);
    }

    private int CachedCount()
    {
        string file = Directory.GetFiles(_mail.Root, "*.cache").Single();
        using var cache = FetchCache.Open(file, 1000)!;
        using var box = _mail.Store.Open("INBOX", readOnly: true);
        return box.Messages.Count(message => cache.TryGet(message, FetchCacheItem.HeaderFields, out _));
    }

    [TestCase("FROM SUBJECT DATE")]
    [TestCase("TO")]
    [TestCase("subject")]
    [TestCase("FROM X-FOO")]
    [TestCase("X-ONLY")]
    public async Task HeaderFieldFetchesGiveTheSameFromTheCache(string fields)
    {
        string first = await Command($"FETCH 1:* BODY.PEEK[HEADER.FIELDS ({fields})]");
        Assert.That(CachedCount(), Is.EqualTo(Messages.Length), "the first fetch read every header and cached its fields");
        string second = await Command($"FETCH 1:* BODY.PEEK[HEADER.FIELDS ({fields})]");
        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public async Task CachedFieldsKeepOrderFoldingAndTheEndOfHeaderRule()
    {
        await Command("FETCH 1:* ENVELOPE");
        string text = await Command("FETCH 1:4 BODY.PEEK[HEADER.FIELDS (SUBJECT TO)]");
        Assert.That(text, Does.Contain("{80}\nTo: bob@example.net\nSubject: folded\n  subject line\nTo: second@example.net\n\n)"));
        Assert.That(text, Does.Contain("{35}\nSubject: header only, no line end\n)"), "no body, no blank line: nothing added");
        Assert.That(text, Does.Contain("{22}\nSubject: header only\n)"));
        Assert.That(text, Does.Contain("{23}\nSubject: empty body\n\n)"));
    }

    [TestCase("SEARCH FROM needle")]
    [TestCase("SEARCH CHARSET UTF-8 SUBJECT \"caf\u00e9\"")]
    [TestCase("SEARCH SUBJECT \"subject line\"")]
    [TestCase("SEARCH HEADER To second")]
    [TestCase("SEARCH HEADER X-Foo bar")]
    [TestCase("SEARCH SENTON 3-Nov-2026")]
    [TestCase("SEARCH OR FROM alice TO nobody")]
    public async Task HeaderSearchesGiveTheSameFromTheCache(string search)
    {
        string before = await Command(search);
        await Command("FETCH 1:* ENVELOPE");
        Assert.That(CachedCount(), Is.EqualTo(Messages.Length));
        string after = await Command(search);
        Assert.That(after, Is.EqualTo(before));
        Assert.That(before, Does.Match(@"\* SEARCH \d"), "the case finds something");
    }
}
