using System.Globalization;
using System.Text;
using MimeKit.Utils;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>
/// SORT and THREAD of the differential corpus through both servers (UIDs are the same on both).
/// Deliberate differences, each applied only to the messages it concerns:
/// <list type="bullet">
/// <item><b>decomposition</b>: i;unicode-casemap (RFC 5051) decomposes canonically and for
/// compatibility (NFKD), so "É" sorts as "E" + accent, among the Es; Dovecot applies only the
/// compatibility decompositions, so "É" sorts after "Z". SORT results are compared with messages
/// whose key has non-ASCII text (raw, or once RFC 2047 words are decoded) left out (their
/// relative order may differ; every other pair must be in the same order).</item>
/// <item><b>hostile headers</b>: the random-messages.py fixtures have broken Date:, address and
/// Message-ID syntax where the two parsers may read different things; they are left out the
/// same way.</item>
/// <item><b>empty address list</b>: "To: ,," has no address, so its TO and DISPLAYTO keys are
/// empty (RFC 5256: the first address's mailbox, or the empty string); Dovecot's parser fills
/// in a missing address and sorts it by that.</item>
/// </list>
/// THREAD trees are compared whole on the generated corpus alone (<see cref="Support.Corpus.TestCorpus"/>:
/// reply chains, In-Reply-To alone, parents missing from the mailbox, References loops, a
/// message referencing itself, duplicate Message-IDs, replies known only by their subject).
/// No deliberate difference is needed there: Dovecot and we build the same trees.
/// </summary>
public partial class DovecotDifferentialTests
{
    private static readonly string[] SortPrograms =
    [
        "DATE", "ARRIVAL", "SIZE", "SUBJECT", "FROM", "TO", "CC", "DISPLAYFROM", "DISPLAYTO",
        "REVERSE DATE", "SUBJECT DATE", "REVERSE SUBJECT REVERSE ARRIVAL", "FROM REVERSE SIZE",
    ];

    [Test]
    [Order(4)]
    public void SortResultsMatch()
    {
        var fields = HeaderFieldsOfAll();
        var differences = new List<string>();
        foreach (string program in SortPrograms)
        {
            var d = _dovecot!.Command($"UID SORT ({program}) UTF-8 ALL");
            var o = _ours!.Command($"UID SORT ({program}) UTF-8 ALL");
            Assert.That(d.Status, Does.StartWith("OK"), $"Dovecot: SORT ({program})");
            Assert.That(o.Status, Does.StartWith("OK"), $"imap4d: SORT ({program})");
            var dUids = Numbers(d.Untagged, "SORT");
            var oUids = Numbers(o.Untagged, "SORT");
            Assert.That(oUids.Order(), Is.EqualTo(dUids.Order()), $"SORT ({program}): not the same messages");

            var set = new HashSet<int>(oUids.Where(u => !MayDiffer(program, u, fields)));
            var dKept = dUids.Where(set.Contains).ToList();
            var oKept = oUids.Where(set.Contains).ToList();
            int at = Enumerable.Range(0, dKept.Count).FirstOrDefault(i => dKept[i] != oKept[i], -1);
            TestContext.Out.WriteLine($"SORT ({program}): {oUids.Count} messages, {set.Count} compared, {(at < 0 ? "same order" : "differ")}");
            if (at >= 0)
            {
                differences.Add($"SORT ({program}) differs at {at}: Dovecot {Describe(dKept.Skip(at).Take(3))}; ours {Describe(oKept.Skip(at).Take(3))}");
            }
        }

        Report(differences);
    }

    [Test]
    [Order(5)]
    public void ThreadResultsMatch()
    {
        int corpus = _labels.TakeWhile(l => l.StartsWith("corpus", StringComparison.Ordinal)).Count();
        var differences = new List<string>();
        foreach (string algorithm in new[] { "REFERENCES", "ORDEREDSUBJECT", "REFS" })
        {
            string command = $"UID THREAD {algorithm} UTF-8 1:{corpus}";
            var d = _dovecot!.Command(command);
            var o = _ours!.Command(command);
            Assert.That(d.Status, Does.StartWith("OK"), "Dovecot: " + command);
            Assert.That(o.Status, Does.StartWith("OK"), "imap4d: " + command);
            string dThreads = Threads(d.Untagged);
            string oThreads = Threads(o.Untagged);
            TestContext.Out.WriteLine($"THREAD {algorithm}: {corpus} messages, {(dThreads == oThreads ? "same" : "differ")}");
            if (dThreads != oThreads)
            {
                int at = Enumerable.Range(0, Math.Min(dThreads.Length, oThreads.Length)).FirstOrDefault(i => dThreads[i] != oThreads[i], 0);
                int from = Math.Max(0, at - 40);
                differences.Add($"{command}:\n    Dovecot …{dThreads[from..Math.Min(dThreads.Length, at + 60)]}\n    ours    …{oThreads[from..Math.Min(oThreads.Length, at + 60)]}");
            }

            // Every message once, whatever the shape.
            var numbers = oThreads.Split(['(', ')', ' '], StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order();
            Assert.That(numbers, Is.EqualTo(Enumerable.Range(1, corpus)), $"{command}: every message exactly once");
        }

        Report(differences);
    }

    /// <summary>True when the message's key for this program may legitimately sort elsewhere (see the class summary).</summary>
    private bool MayDiffer(string program, int uid, Dictionary<int, Dictionary<string, string>> fields)
    {
        if (uid > _labels.Count || _labels[uid - 1].Contains("random-messages", StringComparison.Ordinal))
        {
            return true;
        }

        if (_labels[uid - 1].Contains("empty-list-elements", StringComparison.Ordinal) && program.Contains("TO", StringComparison.Ordinal))
        {
            return true;
        }

        var header = fields.GetValueOrDefault(uid) ?? [];
        foreach (string word in program.Split(' '))
        {
            string? field = word switch
            {
                "SUBJECT" => "subject",
                "FROM" or "DISPLAYFROM" => "from",
                "TO" or "DISPLAYTO" => "to",
                "CC" => "cc",
                _ => null,
            };
            // Encoded words are decoded first (MimeKit as the oracle): a subject or name that is
            // ASCII once decoded ("=?utf-8?Q?Re=3A_Lunch?=") is compared like any other.
            if (field is not null && header.TryGetValue(field, out string? value) &&
                (value.Any(c => c >= 0x80) || Rfc2047.DecodeText(Encoding.Latin1.GetBytes(value)).Any(c => c >= 0x80)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Subject, From, To, Cc of every message (unfolded, raw), by UID, as our server reports them.</summary>
    private Dictionary<int, Dictionary<string, string>> HeaderFieldsOfAll()
    {
        var (untagged, status) = _ours!.Command("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT FROM TO CC)])");
        Assert.That(status, Does.StartWith("OK"));
        var result = new Dictionary<int, Dictionary<string, string>>();
        foreach (var r in untagged.Where(r => r.Fetch is not null))
        {
            int uid = int.Parse(r.Fetch!["UID"].ToString(), CultureInfo.InvariantCulture);
            var block = r.Fetch.First(kv => kv.Key.StartsWith("BODY[", StringComparison.Ordinal)).Value as ImapString;
            var fields = new Dictionary<string, string>();
            string text = block is null ? "" : block.Latin1.Replace("\r\n", "\n", StringComparison.Ordinal)
                .Replace("\n ", " ", StringComparison.Ordinal).Replace("\n\t", " ", StringComparison.Ordinal);
            foreach (string line in text.Split('\n'))
            {
                int colon = line.IndexOf(':');
                if (colon > 0)
                {
                    fields.TryAdd(line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..]);
                }
            }

            result[uid] = fields;
        }

        return result;
    }

    private static List<int> Numbers(List<ImapResponse> untagged, string name) =>
        untagged.Where(r => r.Text.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            .SelectMany(r => r.Text[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();

    private static string Threads(List<ImapResponse> untagged) =>
        untagged.Where(r => r.Text.StartsWith("THREAD", StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Text[6..].Trim()).FirstOrDefault() ?? "";
}
