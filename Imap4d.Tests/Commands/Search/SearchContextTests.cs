using System.Globalization;
using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Search;

/// <summary>
/// RFC 5267 contexts across sessions: an updating SEARCH or SORT in one session is told of what
/// another session (another server process, with its own store) appends, flags and expunges; and
/// PARTIAL results checked against the full result for random searches and ranges.
/// </summary>
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class SearchContextTests(string type)
{
    private string _root = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("imap4d-context-").FullName;
        Append(NewStore(), 3);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task UpdatesArriveWhenAnotherSessionAppendsStoresAndExpunges()
    {
        await using var watcher = await SelectedClientAsync();
        await using var other = await SelectedClientAsync();
        Assert.That(await watcher.CommandAsync("w1", "UID SEARCH RETURN (UPDATE ALL) UNSEEN"), Has.Some.EqualTo("* ESEARCH (TAG \"w1\") UID ALL 1:3"));
        // Subjects h, o, v: reverse order 3, 2, 1; "new" goes between o and h, "new2" before "new".
        Assert.That(await watcher.CommandAsync("w2", "SORT RETURN (UPDATE ALL) (REVERSE SUBJECT) UTF-8 UNSEEN"), Has.Some.EqualTo("* ESEARCH (TAG \"w2\") ALL 3,2,1"));

        Assert.That((await other.CommandAsync("a", "APPEND INBOX {21+}\r\nSubject: new\r\n\r\nnew\r\n"))[^1], Does.StartWith("a OK"));
        var lines = await watcher.CommandAsync("n1", "NOOP");
        AssertInOrder(lines, "* 4 EXISTS", "* ESEARCH (TAG \"w1\") UID ADDTO (0 4)");
        AssertInOrder(lines, "* 4 EXISTS", "* ESEARCH (TAG \"w2\") ADDTO (3 4)");

        Assert.That((await other.CommandAsync("s", "STORE 2 +FLAGS.SILENT (\\Seen)"))[^1], Does.StartWith("s OK"));
        lines = await watcher.CommandAsync("n2", "NOOP");
        Assert.That(lines, Has.Some.EqualTo("* ESEARCH (TAG \"w1\") UID REMOVEFROM (0 2)"), string.Join("\n", lines));
        Assert.That(lines, Has.Some.EqualTo("* ESEARCH (TAG \"w2\") REMOVEFROM (2 2)"), string.Join("\n", lines));

        Assert.That((await other.CommandAsync("d", "STORE 1 +FLAGS.SILENT (\\Deleted)"))[^1], Does.StartWith("d OK"));
        Assert.That((await other.CommandAsync("e", "EXPUNGE"))[^1], Does.StartWith("e OK"));
        lines = await watcher.CommandAsync("n3", "NOOP");
        AssertInOrder(lines, "* ESEARCH (TAG \"w1\") UID REMOVEFROM (0 1)", "* 1 EXPUNGE");
        AssertInOrder(lines, "* ESEARCH (TAG \"w2\") REMOVEFROM (3 1)", "* 1 EXPUNGE");

        // While idling, without a command from the watcher.
        watcher.Send("i IDLE");
        Assert.That(await watcher.ReadLineAsync(), Does.StartWith("+"));
        Assert.That((await other.CommandAsync("b", "APPEND INBOX {22+}\r\nSubject: new2\r\n\r\nnew\r\n"))[^1], Does.StartWith("b OK"));
        var pushed = new List<string>();
        while (pushed.Count == 0 || !pushed[^1].StartsWith("* ESEARCH (TAG \"w2\")", StringComparison.Ordinal))
        {
            pushed.Add(await watcher.ReadLineAsync(TimeSpan.FromSeconds(10)) ?? "");
        }

        AssertInOrder(pushed, "* 4 EXISTS", "* ESEARCH (TAG \"w1\") UID ADDTO (0 5)", "* ESEARCH (TAG \"w2\") ADDTO (2 4)");
        watcher.Send("DONE");
        Assert.That(await watcher.ReadLineAsync(), Does.StartWith("i OK"));

        Assert.That((await watcher.CommandAsync("c", "CANCELUPDATE \"w1\" \"w2\""))[^1], Does.StartWith("c OK"));
        Assert.That((await other.CommandAsync("s2", "STORE 1:* +FLAGS.SILENT (\\Seen)"))[^1], Does.StartWith("s2 OK"));
        Assert.That(await watcher.CommandAsync("n4", "NOOP"), Has.None.StartsWith("* ESEARCH"));
    }

    [Test]
    public async Task PartialResultsAreTheirRangeOfTheFullResult()
    {
        Append(NewStore(), 37);
        await using var client = await SelectedClientAsync();
        var random = new Random(5267);
        for (int i = 0; i < 40; i++)
        {
            await client.CommandAsync("f" + i, $"STORE {random.Next(1, 41)}:{random.Next(1, 41)} {(random.Next(2) == 0 ? "+" : "-")}FLAGS.SILENT ({Flag(random)})");
        }

        string[] keys = ["ALL", "SEEN", "UNSEEN", "FLAGGED", "OR SEEN FLAGGED", "NOT ANSWERED", "UID 5:30", "DELETED UNSEEN"];
        string[] orders = ["(ARRIVAL)", "(REVERSE ARRIVAL)", "(SUBJECT)", "(REVERSE SIZE SUBJECT)"];
        for (int i = 0; i < 60; i++)
        {
            string key = keys[random.Next(keys.Length)];
            string uid = random.Next(2) == 0 ? "UID " : "";
            long a = random.Next(1, 45), b = random.Next(1, 45);
            bool fromEnd = random.Next(3) == 0;
            string range = fromEnd ? $"-{a}:-{b}" : $"{a}:{b}";
            var (lo, hi) = (Math.Min(a, b), Math.Max(a, b));

            var full = Numbers((await client.CommandAsync("s" + i, $"{uid}SEARCH {key}"))[0]["* SEARCH".Length..]);
            var partial = await client.CommandAsync("p" + i, $"{uid}SEARCH RETURN (PARTIAL {range}) {key}");
            Assert.That(PartialOf(partial[0]), Is.EqualTo(Expected(full, lo, hi, fromEnd)), $"{uid}SEARCH RETURN (PARTIAL {range}) {key}: full {string.Join(",", full)}");

            string order = orders[random.Next(orders.Length)];
            var sorted = Numbers((await client.CommandAsync("t" + i, $"{uid}SORT {order} UTF-8 {key}"))[0]["* SORT".Length..]);
            var sortedPartial = await client.CommandAsync("q" + i, $"{uid}SORT RETURN (PARTIAL {range}) {order} UTF-8 {key}");
            Assert.That(PartialOf(sortedPartial[0]), Is.EqualTo(Expected(sorted, lo, hi, fromEnd)), $"{uid}SORT RETURN (PARTIAL {range}) {order} {key}");
        }
    }

    private static string Flag(Random random) => random.Next(4) switch
    {
        0 => "\\Seen",
        1 => "\\Flagged",
        2 => "\\Answered",
        _ => "\\Deleted",
    };

    private static List<uint> Expected(List<uint> full, long lo, long hi, bool fromEnd)
    {
        var positions = Enumerable.Range(1, full.Count).Where(p => fromEnd ? full.Count - p + 1 >= lo && full.Count - p + 1 <= hi : p >= lo && p <= hi);
        return positions.Select(p => full[p - 1]).ToList();
    }

    /// <summary>The set of "PARTIAL (range set)" expanded in its order; empty for NIL.</summary>
    private static List<uint> PartialOf(string line)
    {
        int open = line.IndexOf("PARTIAL (", StringComparison.Ordinal);
        Assert.That(open, Is.GreaterThan(0), line);
        string[] words = line[(open + 9)..line.IndexOf(')', open)].Split(' ');
        var numbers = new List<uint>();
        if (words[1] == "NIL")
        {
            return numbers;
        }

        foreach (string part in words[1].Split(','))
        {
            string[] ends = part.Split(':');
            uint first = uint.Parse(ends[0], CultureInfo.InvariantCulture), last = uint.Parse(ends[^1], CultureInfo.InvariantCulture);
            for (uint n = first; n <= last; n++)
            {
                numbers.Add(n);
            }
        }

        return numbers;
    }

    private static List<uint> Numbers(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => uint.Parse(w, CultureInfo.InvariantCulture)).ToList();

    private static void AssertInOrder(List<string> lines, params string[] expected)
    {
        int at = -1;
        foreach (string line in expected)
        {
            int next = lines.IndexOf(line);
            Assert.That(next, Is.GreaterThan(at), $"expected \"{line}\" after the lines before it in:\n" + string.Join("\n", lines));
            at = next;
        }
    }

    private void Append(MailStore store, int count)
    {
        using var box = store.Open("INBOX", readOnly: true);
        int first = box.Messages.Count;
        for (int i = 1; i <= count; i++)
        {
            string subject = ((char)('a' + ((first + i) * 7 % 26))).ToString();
            box.Append(new MemoryStream(Encoding.ASCII.GetBytes($"Subject: {subject}\r\nFrom: a@example.org\r\n\r\n{new string('x', (first + i) * 13 % 50)}\r\n")),
                FlagSet.Empty, DateTimeOffset.UtcNow);
        }
    }

    private MailStore NewStore() => DiskSessions.NewStore(type, _root);

    private Task<TestClient> SelectedClientAsync() => DiskSessions.SelectedClientAsync(type, _root);
}
