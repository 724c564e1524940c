using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;

namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// The differential tests' corpus has what they are meant to compare: the same bytes for the
/// same seed, MIME that parses, and the subject, address, date and thread cases its summary
/// promises.
/// </summary>
public class TestCorpusTests
{
    private static readonly List<CorpusMessage> Corpus = TestCorpus.Generate(300, 7);

    /// <summary>Each message's header fields, raw (encoded words as sent), unfolded; the first of each name.</summary>
    private static readonly List<Dictionary<string, string>> Headers = Corpus.Select(m => RawFields(m.Bytes)).ToList();

    [Test]
    public void TheSameSeedGivesTheSameBytes()
    {
        var again = TestCorpus.Generate(300, 7);
        Assert.That(again.Select(m => m.Bytes), Is.EqualTo(Corpus.Select(m => m.Bytes)));
        Assert.That(again.Select(m => (m.Flags, m.New, m.Arrival)), Is.EqualTo(Corpus.Select(m => (m.Flags, m.New, m.Arrival))));
        Assert.That(TestCorpus.Generate(300, 8).Select(m => m.Bytes), Is.Not.EqualTo(Corpus.Select(m => m.Bytes)));
    }

    [Test]
    public void EveryMessageParses()
    {
        foreach (var message in Corpus)
        {
            var parsed = MimeMessage.Load(new MemoryStream(message.Bytes));
            Assert.That(parsed.Body, Is.Not.Null, message.Label);
        }

        Assert.That(Corpus.Count(m => Encoding.UTF8.GetString(m.Bytes).Contains("multipart/alternative", StringComparison.Ordinal)), Is.Positive);
        Assert.That(Corpus.Count(m => Encoding.UTF8.GetString(m.Bytes).Contains("message/rfc822", StringComparison.Ordinal)), Is.Positive);
        Assert.That(Corpus.Count(m => Encoding.UTF8.GetString(m.Bytes).Contains("multipart/related", StringComparison.Ordinal)), Is.Positive);
    }

    [Test]
    public void ArrivalsRiseAndSpanTheSearchDates()
    {
        Assert.That(Corpus.Select(m => m.Arrival), Is.Ordered.Ascending);
        Assert.That(Corpus.Any(m => m.Arrival < new DateTime(2019, 6, 1)) && Corpus.Any(m => m.Arrival >= new DateTime(2021, 1, 1)));
        Assert.That(Corpus.Count(m => m.New), Is.Positive);
        Assert.That(Corpus.Count(m => m.Bytes.Length > 10000), Is.Positive);
    }

    [Test]
    public void SubjectsCarryEveryMarker()
    {
        var subjects = Headers.Select(h => h.GetValueOrDefault("Subject")).OfType<string>().ToList();
        foreach (string marker in new[] { "Re: ", "RE: ", "Fwd: ", "FW: ", "Re[2]: ", "[list] ", "(fwd)", "(Fwd)", "[Fwd: ", "\t", "=?utf-8?Q?", "=?utf-8?B?", "=?iso-8859-1?Q?", "Aw: " })
        {
            Assert.That(subjects.Any(s => s.Contains(marker, StringComparison.Ordinal)), $"no subject with {marker}");
        }

        Assert.That(Headers.Count(h => h.GetValueOrDefault("Subject") is null), Is.Positive, "a message without Subject:");
        Assert.That(subjects.Count(s => s.Contains(TestCorpus.Needles.Subject, StringComparison.Ordinal)), Is.Positive);
    }

    [Test]
    public void AddressesComeWithAndWithoutNames()
    {
        var from = Headers.Select(h => h["From"]).ToList();
        Assert.That(from.Any(f => Regex.IsMatch(f, "^[a-z.]+@[A-Za-z.]+$")), "a bare address");
        Assert.That(from.Any(f => Regex.IsMatch(f, "^[A-Z][a-z]+ [A-Z][a-z]+ <")), "a display name");
        Assert.That(from.Any(f => f.StartsWith('"')), "a quoted display name");
        Assert.That(from.Any(f => f.Contains("=?utf-8?", StringComparison.Ordinal)), "an encoded display name");
        Assert.That(from.Any(f => f.EndsWith(')')), "a name in a comment");
        Assert.That(Headers.Any(h => h.GetValueOrDefault("To") is null) && Headers.Any(h => h.GetValueOrDefault("To")?.EndsWith(":;", StringComparison.Ordinal) == true));
        Assert.That(Headers.Count(h => h.GetValueOrDefault("Cc") is not null), Is.Positive);
    }

    [Test]
    public void DatesVaryInZoneAndSomeCannotBeRead()
    {
        var dates = Headers.Select(h => h.GetValueOrDefault("Date")).OfType<string>().ToList();
        var zones = dates.Select(d => Regex.Match(d, @"([+-]\d{4}|[A-Z]{2,3})(\s*\(\w+\))?$").Groups[1].Value).Where(z => z != "").ToHashSet();
        Assert.That(zones, Has.Count.GreaterThanOrEqualTo(8));
        Assert.That(Headers.Any(h => h.GetValueOrDefault("Date") is null), "a message without Date:");
        Assert.That(dates.Count(d => !DateUtils.TryParse(d, out _)), Is.GreaterThanOrEqualTo(5), "unreadable dates");
    }

    [Test]
    public void ThreadsHaveMissingParentsLoopsAndDuplicateIds()
    {
        var ids = Headers.Select(h => h.GetValueOrDefault("Message-ID")).ToList();
        var present = ids.Where(id => id is not null).ToHashSet();
        Assert.That(ids.Count(id => id is null), Is.Positive, "a message without Message-ID");
        Assert.That(ids.Where(id => id is not null).GroupBy(id => id).Any(g => g.Count() > 1), "a duplicate Message-ID");

        var references = Headers.Select(h => Regex.Matches((h.GetValueOrDefault("References") ?? "") + " " + (h.GetValueOrDefault("In-Reply-To") ?? ""), "<[^>]+>").Select(m => m.Value).ToList()).ToList();
        Assert.That(references.SelectMany(r => r).Any(r => !present.Contains(r)), "a reference to a message not in the mailbox");
        Assert.That(Enumerable.Range(0, ids.Count).Any(i => ids[i] is { } id && references[i].Contains(id)), "a message that references itself");
        bool loop = Enumerable.Range(0, ids.Count).Any(i => ids[i] is { } a && references[i].Any(b =>
            Enumerable.Range(0, ids.Count).Any(j => j != i && ids[j] == b && references[j].Contains(a))));
        Assert.That(loop, "two messages that reference each other");
        Assert.That(Headers.Count(h => h.GetValueOrDefault("In-Reply-To") is not null && h.GetValueOrDefault("References") is null), Is.Positive, "In-Reply-To alone");
        Assert.That(Headers.Count(h => h.GetValueOrDefault("References") is not null), Is.GreaterThan(60), "reply chains");
    }

    [Test]
    public void NeedlesArePlanted()
    {
        string all = string.Join("\n", Corpus.Select(m => Encoding.UTF8.GetString(m.Bytes)));
        var needles = TestCorpus.Needles;
        foreach (string needle in new[] { needles.Body, needles.From, needles.Subject, needles.Text })
        {
            Assert.That(all, Does.Contain(needle));
        }

        var decoded = Corpus.Select(m => MimeMessage.Load(new MemoryStream(m.Bytes)).Subject ?? "");
        Assert.That(decoded.Any(s => s.Contains(needles.SubjectUtf8, StringComparison.Ordinal)), "the UTF-8 needle, decoded");
    }

    private static Dictionary<string, string> RawFields(byte[] message)
    {
        string text = Encoding.UTF8.GetString(message);
        string header = text[..text.IndexOf("\n\n", StringComparison.Ordinal)].Replace("\n ", " ", StringComparison.Ordinal).Replace("\n\t", "\t", StringComparison.Ordinal);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in header.Split('\n'))
        {
            int colon = line.IndexOf(':');
            fields.TryAdd(line[..colon], line[(colon + 1)..].TrimStart(' '));
        }

        return fields;
    }
}
