using System.Text;
using Imap4d.Protocol;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Protocol;

/// <summary>
/// NFC and NFD against Python's unicodedata: random strings from a committed corpus
/// (Fixtures/normalization/make-corpus.py), and every code point by asking python3 when it is
/// installed and has the same Unicode version as the tables.
/// </summary>
[TestFixture]
public class UnicodeNormalizationTests
{
    [TestCase("Caf\u0065\u0301", "Caf\u00e9")]
    [TestCase("Caf\u00e9", "Caf\u00e9")]
    [TestCase("a\u0323\u0302", "\u1ead")] // marks reordered before composing: ậ
    [TestCase("a\u0302\u0323", "\u1ead")]
    [TestCase("\u212b", "\u00c5")] // ANGSTROM SIGN is a singleton
    [TestCase("\u1100\u1161\u11a8", "\uac01")] // Hangul L V T
    [TestCase("\u0344", "\u0308\u0301")] // a non-starter decomposition
    [TestCase("\u0958", "\u0915\u093c")] // a composition exclusion
    [TestCase("\u0301e", "\u0301e")] // a leading mark has nothing to join
    public void ComposesCanonically(string text, string nfc)
    {
        Assert.That(UnicodeNormalization.Nfc(text), Is.EqualTo(nfc));
    }

    [TestCase("INBOX")]
    [TestCase("Entw\u00fcrfe")]
    [TestCase("\u53f0\u5317")]
    public void LeavesNormalizedTextAsTheSameInstance(string text)
    {
        Assert.That(UnicodeNormalization.Nfc(text), Is.SameAs(text));
        Assert.That(UnicodeNormalization.IsNfc(text), Is.True);
    }

    [Test]
    public void DecomposesCanonically()
    {
        Assert.That(UnicodeNormalization.Nfd("Caf\u00e9"), Is.EqualTo("Cafe\u0301"));
        Assert.That(UnicodeNormalization.Nfd("\uac01"), Is.EqualTo("\u1100\u1161\u11a8"));
        Assert.That(UnicodeNormalization.Nfd("\u1ead"), Is.EqualTo("a\u0323\u0302"));
    }

    [Test]
    public void MatchesPythonOnTheCommittedCorpus()
    {
        string path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "normalization", "corpus.txt");
        var lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo("# unicode " + UnicodeNormalization.UnicodeVersion), "corpus and tables made with one Unicode version");
        var failures = new List<string>();
        foreach (string line in lines.Skip(1))
        {
            var fields = line.Split(';').Select(FromHex).ToArray();
            Check(fields[0], fields[1], fields[2], failures);
        }

        Assert.That(failures, Is.Empty);
        Assert.That(lines.Length, Is.GreaterThan(500));
    }

    [Test]
    public void MatchesPythonOnEveryCodePoint()
    {
        const string Script = """
            import sys, unicodedata
            print(unicodedata.unidata_version)
            for cp in range(0x110000):
                if 0xD800 <= cp <= 0xDFFF:
                    continue
                c = chr(cp)
                nfc, nfd = unicodedata.normalize("NFC", c), unicodedata.normalize("NFD", c)
                if nfc != c or nfd != c:
                    print("%X;%s;%s" % (cp, " ".join("%X" % ord(x) for x in nfc), " ".join("%X" % ord(x) for x in nfd)))
            """;
        var result = ExternalProgram.RunSeparately("python3", ["-c", Script], timeout: TimeSpan.FromSeconds(120));
        Assert.That(result.Code, Is.Zero, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines[0] != UnicodeNormalization.UnicodeVersion)
        {
            Assert.Ignore($"python3 has Unicode {lines[0]}, the tables {UnicodeNormalization.UnicodeVersion}");
        }

        var expected = new Dictionary<int, (string Nfc, string Nfd)>();
        foreach (string line in lines.Skip(1))
        {
            var fields = line.Split(';');
            expected[Convert.ToInt32(fields[0], 16)] = (FromHex(fields[1]), FromHex(fields[2]));
        }

        var failures = new List<string>();
        for (int cp = 0; cp < 0x110000; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            string text = char.ConvertFromUtf32(cp);
            var (nfc, nfd) = expected.TryGetValue(cp, out var forms) ? forms : (text, text);
            Check(text, nfc, nfd, failures);
        }

        Assert.That(failures, Is.Empty);
        Assert.That(expected, Has.Count.GreaterThan(13000));
    }

    private static void Check(string text, string nfc, string nfd, List<string> failures)
    {
        string ourNfc = UnicodeNormalization.Nfc(text);
        string ourNfd = UnicodeNormalization.Nfd(text);
        if (ourNfc != nfc || ourNfd != nfd || UnicodeNormalization.IsNfc(text) != (text == nfc))
        {
            failures.Add($"{Hex(text)}: NFC {Hex(ourNfc)} want {Hex(nfc)}, NFD {Hex(ourNfd)} want {Hex(nfd)}");
        }
    }

    private static string FromHex(string field)
    {
        var text = new StringBuilder();
        foreach (string hex in field.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append(char.ConvertFromUtf32(Convert.ToInt32(hex, 16)));
        }

        return text.ToString();
    }

    private static string Hex(string text)
    {
        var points = new List<string>();
        for (int i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            points.Add(char.ConvertToUtf32(text, i).ToString("X4"));
        }

        return string.Join(' ', points);
    }
}
