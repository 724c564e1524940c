using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

/// <summary>
/// Compares our BODY, BODYSTRUCTURE and ENVELOPE of the CRLF form of each fixture with what
/// Dovecot 2.3 produced (&lt;name&gt;.dovecot, captured by dovecot-oracle.sh), item by item,
/// ignoring only the string form (quoted vs literal). Deliberate differences are listed.
/// </summary>
[TestFixture]
public class DovecotOracleTests
{
    /// <summary>
    /// Deliberate differences (see Fixtures/messages/README.md): for a fixture/item, the
    /// Dovecot text that we replace by ours; everything else must still match.
    /// </summary>
    private static readonly Dictionary<string, (string Why, (string Dovecot, string Ours)[] Changes)> Deliberate = new()
    {
        ["simple-text imap.bodystructure"] = ("Dovecot's BODYSTRUCTURE lower-cases a Content-Type equal to the default (its BODY does not); we keep the message's spelling in both", [("(\"text\" \"plain\" (\"charset\" \"us-ascii\")", "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\")")]),
        ["edge-mime-fields imap.body"] = ("an invalid Content-Type (\"text\", no subtype) means text/plain; charset=us-ascii (RFC 2045 §5.2); Dovecot sends an empty subtype", [("(\"text\" \"\" (\"charset\" \"us-ascii\")", "(\"text\" \"plain\" (\"charset\" \"us-ascii\")")]),
        ["edge-mime-fields imap.bodystructure"] = ("an invalid Content-Type (\"text\", no subtype) means text/plain; charset=us-ascii (RFC 2045 §5.2); Dovecot sends an empty subtype", [("(\"text\" \"\" (\"charset\" \"us-ascii\")", "(\"text\" \"plain\" (\"charset\" \"us-ascii\")")]),
        ["folded-headers imap.envelope"] = ("Dovecot turns folding white space into one space; we unfold as RFC 2822 says (remove CRLF only)", [("\"this is a folded subject that spans lines\"", "\"this is a folded subject\\x09that spans lines\"")]),
        ["groups imap.envelope"] = ("a quoted local part keeps its quotes, so mailbox@host stays a valid address", [("(NIL NIL \"Quoted Local\" \"example.com\")", "(NIL NIL \"\\\"Quoted Local\\\"\" \"example.com\")")]),
        ["header-8bit-nul imap.envelope"] = ("Dovecot's address parser stops at a NUL; we keep the rest (NUL sent as U+FFFD)", [("((NIL NIL \"a\" \"MISSING_DOMAIN\"))", "((NIL NIL \"a\\xef\\xbf\\xbdb\" \"example.com\"))")]),
        ["close-then-outer imap.body"] = ("RFC 2046 grammar: after a close delimiter directly followed by an outer boundary, the line break is the outer delimiter's; Dovecot counts it in the inner part", [("\"7bit\" 82 ", "\"7bit\" 80 "), ("\"mixed\") 7)", "\"mixed\") 6)")]),
        ["close-then-outer imap.bodystructure"] = ("RFC 2046 grammar: after a close delimiter directly followed by an outer boundary, the line break is the outer delimiter's; Dovecot counts it in the inner part", [("\"7bit\" 82 ", "\"7bit\" 80 "), ("NIL NIL NIL) 7 NIL", "NIL NIL NIL) 6 NIL")]),
        ["non-mime-header imap.envelope"] = ("Dovecot collapses white space in the subject (for humans); we send the raw value", [("\"a b\"", "\"a  b \"")]),
    };

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string name in MimeFixtures.Names())
        {
            if (!File.Exists(Path.Combine(MimeFixtures.Directory, name + ".dovecot")))
            {
                continue;
            }

            foreach (string item in new[] { "imap.body", "imap.bodystructure", "imap.envelope" })
            {
                yield return new TestCaseData(name, item).SetName($"{name} {item}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesDovecot(string name, string item)
    {
        byte[] dovecot = File.ReadAllBytes(Path.Combine(MimeFixtures.Directory, name + ".dovecot"));
        byte[] expected = Item(dovecot, item);
        var root = MimeScanner.Scan(MimeFixtures.Load(name, crlf: true));
        byte[] ours = item switch
        {
            "imap.body" => MimeFixtures.Body(root, false),
            "imap.bodystructure" => MimeFixtures.Body(root, true),
            _ => MimeFixtures.Envelope(root),
        };
        string want = ImapData.Canonical(expected);
        if (Deliberate.TryGetValue(name + " " + item, out var diff))
        {
            foreach (var (theirs, ours2) in diff.Changes)
            {
                Assert.That(want, Does.Contain(theirs), "the deliberate difference is no longer there: " + diff.Why);
                want = want.Replace(theirs, ours2, StringComparison.Ordinal);
            }
        }

        Assert.That(ImapData.Canonical(ours), Is.EqualTo(want));
    }

    /// <summary>
    /// Differential run against Dovecot on a directory of messages with .dovecot captures
    /// (e.g. random messages): set IMAP4D_DOVECOT_DIFF_DIR and run explicitly. Prints every
    /// mismatch; deliberate differences show up too and need a human eye.
    /// </summary>
    [Test]
    [Explicit("needs IMAP4D_DOVECOT_DIFF_DIR with .eml and .dovecot files")]
    public void DifferentialAgainstDovecot()
    {
        string? dir = Environment.GetEnvironmentVariable("IMAP4D_DOVECOT_DIFF_DIR");
        if (dir is null)
        {
            Assert.Ignore("IMAP4D_DOVECOT_DIFF_DIR not set");
        }

        int mismatches = 0;
        foreach (string eml in Directory.GetFiles(dir, "*.eml").Order(StringComparer.Ordinal))
        {
            string dovecotFile = Path.ChangeExtension(eml, ".dovecot");
            if (!File.Exists(dovecotFile))
            {
                continue;
            }

            byte[] dovecot = File.ReadAllBytes(dovecotFile);
            var root = MimeScanner.Scan(MimeFixtures.ToCrlf(File.ReadAllBytes(eml)));
            foreach (string item in new[] { "imap.body", "imap.bodystructure", "imap.envelope" })
            {
                byte[] ours = item switch
                {
                    "imap.body" => MimeFixtures.Body(root, false),
                    "imap.bodystructure" => MimeFixtures.Body(root, true),
                    _ => MimeFixtures.Envelope(root),
                };
                string want = ImapData.Canonical(Item(dovecot, item));
                string got = ImapData.Canonical(ours);
                if (want != got)
                {
                    mismatches++;
                    int at = 0;
                    while (at < want.Length && at < got.Length && want[at] == got[at])
                    {
                        at++;
                    }

                    int from = Math.Max(0, at - 60);
                    TestContext.Out.WriteLine($"{Path.GetFileName(eml)} {item} at {at}:\n  dovecot: {want[from..Math.Min(want.Length, at + 80)]}\n  ours:    {got[from..Math.Min(got.Length, at + 80)]}");
                }
            }
        }

        TestContext.Out.WriteLine($"{mismatches} mismatches");
    }

    /// <summary>The value of "item: value" in doveadm's pager output, wrapped in parentheses.</summary>
    private static byte[] Item(byte[] output, string item)
    {
        string text = Encoding.Latin1.GetString(output);
        string[] keys = ["imap.body: ", "imap.bodystructure: ", "imap.envelope: "];
        int start = text.StartsWith(item + ": ", StringComparison.Ordinal) ? 0 : text.IndexOf("\n" + item + ": ", StringComparison.Ordinal) + 1;
        start += item.Length + 2;
        int end = text.Length;
        foreach (string k in keys)
        {
            int i = text.IndexOf("\n" + k, start, StringComparison.Ordinal);
            if (i >= 0 && i < end)
            {
                end = i;
            }
        }

        string value = text[start..end].TrimEnd('\n');
        return Encoding.Latin1.GetBytes("(" + value + ")");
    }
}
