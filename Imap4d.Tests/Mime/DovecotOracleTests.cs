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
    private static readonly Dictionary<string, (string Dovecot, string Ours, string Why)> Deliberate = new()
    {
        ["simple-text imap.bodystructure"] = (
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\")",
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\")",
            "Dovecot's BODYSTRUCTURE lower-cases a Content-Type equal to the default (its BODY does not); we keep the message's spelling in both"),
        ["edge-mime-fields imap.body"] = (
            "(\"text\" \"\" (\"charset\" \"us-ascii\")",
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\")",
            "an invalid Content-Type (\"text\", no subtype) means text/plain; charset=us-ascii (RFC 2045 §5.2); Dovecot sends an empty subtype"),
        ["edge-mime-fields imap.bodystructure"] = (
            "(\"text\" \"\" (\"charset\" \"us-ascii\")",
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\")",
            "an invalid Content-Type (\"text\", no subtype) means text/plain; charset=us-ascii (RFC 2045 §5.2); Dovecot sends an empty subtype"),
        ["folded-headers imap.envelope"] = (
            "\"this is a folded subject that spans lines\"",
            "\"this is a folded subject\\x09that spans lines\"",
            "Dovecot turns folding white space into one space; we unfold as RFC 2822 says (remove CRLF only)"),
        ["groups imap.envelope"] = (
            "(NIL NIL \"Quoted Local\" \"example.com\")",
            "(NIL NIL \"\\\"Quoted Local\\\"\" \"example.com\")",
            "a quoted local part keeps its quotes, so mailbox@host stays a valid address"),
        ["header-8bit-nul imap.envelope"] = (
            "((NIL NIL \"a\" \"MISSING_DOMAIN\"))",
            "((NIL NIL \"a\\xef\\xbf\\xbdb\" \"example.com\"))",
            "Dovecot's address parser stops at a NUL; we keep the rest (NUL sent as U+FFFD)"),
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
            Assert.That(want, Does.Contain(diff.Dovecot), "the deliberate difference is no longer there: " + diff.Why);
            want = want.Replace(diff.Dovecot, diff.Ours, StringComparison.Ordinal);
        }

        Assert.That(ImapData.Canonical(ours), Is.EqualTo(want));
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
