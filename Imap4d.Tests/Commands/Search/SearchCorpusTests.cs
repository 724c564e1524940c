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
/// SEARCH on the benchmark corpus (shared/bench/gen_corpus.py, 300 messages, maildir) through a
/// session on the maildir driver: the hit counts must equal the needles' counts in its manifest.
/// Ignored where python3 or the generator is not available.
/// </summary>
[NonParallelizable]
public class SearchCorpusTests
{
    private string _dir = null!;
    private JsonElement _needles;
    private TestClient _client = null!;

    [OneTimeSetUp]
    public async Task Generate()
    {
        string? generator = FindGenerator();
        string? python = RepoPaths.FindProgram("python3");
        if (generator is null || python is null)
        {
            Assert.Ignore("python3 or shared/bench/gen_corpus.py not available");
        }

        _dir = Path.Combine(Path.GetTempPath(), "imap4d-search-corpus-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(python, [generator!, "--count", "300", "--out", _dir, "--formats", "maildir"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using (var process = Process.Start(start)!)
        {
            string errors = await process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(120_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("gen_corpus.py did not finish");
            }

            Assert.That(process.ExitCode, Is.Zero, errors);
        }

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "manifest.json")));
        _needles = manifest.RootElement.GetProperty("needles").Clone();
        string root = Path.Combine(_dir, "maildir");
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', root, null, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = root + "/INBOX" },
        };
        var store = new MailStore(settings, "demo", root, [new MaildirDriver()], _ => null);
        _client = new TestClient(start: new SessionStart(new UserInfo("demo", root), false), storeFactory: _ => store);
        await _client.ReadLineAsync();
        var select = await _client.CommandAsync("s", "EXAMINE corpus");
        Assert.That(select, Does.Contain("* 300 EXISTS"), string.Join("\n", select));
    }

    [OneTimeTearDown]
    public async Task CleanUp()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_dir is not null && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string? FindGenerator()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("IMAP4D_BENCH_DIR");
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(fromEnv))
        {
            candidates.Add(Path.Combine(fromEnv, "gen_corpus.py"));
        }

        for (var dir = new DirectoryInfo(RepoPaths.Root); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "shared", "bench", "gen_corpus.py"));
        }

        return candidates.FirstOrDefault(File.Exists);
    }

    private static int Count(List<string> lines)
    {
        Assert.That(lines[^1], Does.Contain("OK"), string.Join("\n", lines));
        string search = lines.Single(l => l.StartsWith("* SEARCH", StringComparison.Ordinal));
        return search.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length - 2;
    }

    [TestCase("from")]
    [TestCase("subject")]
    [TestCase("body")]
    [TestCase("text")]
    public async Task NeedleCountsMatchTheManifest(string name)
    {
        var needle = _needles.GetProperty(name);
        var lines = await _client.CommandAsync("t", "SEARCH " + needle.GetProperty("search").GetString());
        Assert.That(Count(lines), Is.EqualTo(needle.GetProperty("expected").GetInt32()));
        var uid = await _client.CommandAsync("u", "UID SEARCH " + needle.GetProperty("search").GetString());
        Assert.That(Count(uid), Is.EqualTo(needle.GetProperty("expected").GetInt32()));
    }

    [Test]
    public async Task Utf8SubjectLiteralCountMatchesTheManifest()
    {
        var needle = _needles.GetProperty("subject_utf8");
        byte[] value = Encoding.UTF8.GetBytes(needle.GetProperty("value").GetString()!);
        _client.Send($"t SEARCH {needle.GetProperty("search").GetString()} {{{value.Length}}}");
        Assert.That(await _client.ReadLineAsync(), Does.StartWith("+"));
        _client.SendRaw([.. value, .. "\r\n"u8]);
        var lines = new List<string>();
        string line;
        do
        {
            line = (await _client.ReadLineAsync())!;
            lines.Add(line);
        }
        while (!line.StartsWith("t ", StringComparison.Ordinal));

        Assert.That(Count(lines), Is.EqualTo(needle.GetProperty("expected").GetInt32()));
    }
}
