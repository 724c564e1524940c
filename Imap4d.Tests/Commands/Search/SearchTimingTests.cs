using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Search;

/// <summary>
/// Times the bench's SEARCH commands on a corpus made by shared/bench/gen_corpus.py
/// (IMAP4D_SEARCH_CORPUS=DIR, maildir format). Explicit: run by hand, e.g.
/// <c>IMAP4D_SEARCH_CORPUS=/tmp/c10k dotnet test --filter Name=TimeBenchSearches</c>.
/// </summary>
[Explicit("timing on a large corpus, run by hand")]
public class SearchTimingTests
{
    [Test]
    public async Task TimeBenchSearches()
    {
        string? dir = Environment.GetEnvironmentVariable("IMAP4D_SEARCH_CORPUS");
        if (string.IsNullOrEmpty(dir))
        {
            Assert.Ignore("IMAP4D_SEARCH_CORPUS not set");
        }

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir!, "manifest.json")));
        var needles = manifest.RootElement.GetProperty("needles");
        string root = Path.Combine(dir!, "maildir");
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', root, null, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = root + "/INBOX" },
        };
        var store = new MailStore(settings, "demo", root, [new MaildirDriver()], _ => null);
        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", root), false), storeFactory: _ => store);
        await client.ReadLineAsync();
        await client.CommandAsync("s", "EXAMINE corpus");
        foreach (string name in new[] { "from", "subject", "body", "text" })
        {
            for (int round = 0; round < 2; round++)
            {
                var needle = needles.GetProperty(name);
                var watch = Stopwatch.StartNew();
                var lines = await client.CommandAsync("t", "SEARCH " + needle.GetProperty("search").GetString());
                watch.Stop();
                int hits = lines.Single(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).Split(' ').Length - 2;
                await TestContext.Out.WriteLineAsync($"{name,-8} round {round}: {watch.ElapsedMilliseconds,6} ms, {hits} hits (expected {needle.GetProperty("expected").GetInt32()})");
                Assert.That(hits, Is.EqualTo(needle.GetProperty("expected").GetInt32()));
            }
        }

        foreach (string command in new[] { "SEARCH LARGER 1", "SEARCH HEADER X-None x", "SEARCH SENTSINCE 1-Jan-2020", "SEARCH BODY \"\"" })
        {
            var watch = Stopwatch.StartNew();
            await client.CommandAsync("t", command);
            await TestContext.Out.WriteLineAsync($"{command,-30}: {watch.ElapsedMilliseconds,6} ms");
        }

        var utf8 = needles.GetProperty("subject_utf8");
        byte[] value = Encoding.UTF8.GetBytes(utf8.GetProperty("value").GetString()!);
        var w = Stopwatch.StartNew();
        client.Send($"t SEARCH CHARSET UTF-8 SUBJECT {{{value.Length}}}");
        await client.ReadLineAsync();
        client.SendRaw([.. value, .. "\r\n"u8]);
        string? line;
        string result = "";
        while ((line = await client.ReadLineAsync(TimeSpan.FromMinutes(5))) is not null && !line.StartsWith("t ", StringComparison.Ordinal))
        {
            result = line;
        }

        await TestContext.Out.WriteLineAsync($"utf8     : {w.ElapsedMilliseconds,6} ms, {result.Split(' ').Length - 2} hits (expected {utf8.GetProperty("expected").GetInt32()})");
    }
}
