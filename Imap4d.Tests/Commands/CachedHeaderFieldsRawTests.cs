using System.Text;
using Imap4d.Commands;
using Imap4d.Mime;

namespace Imap4d.Tests.Commands;

/// <summary>
/// The cached fields filtered without parsing the whole block give exactly what parsing it and
/// filtering the parsed fields gives (FETCH BODY[HEADER.FIELDS], SEARCH header keys).
/// </summary>
public class CachedHeaderFieldsRawTests
{
    private static readonly string[] Blocks =
    [
        "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: folded\r\n  subject line\r\nTo: second@example.net\r\nDate: Tue, 3 Nov 2026\r\n",
        "Subject : spaced name\nfrom: lower@example.org\nSUBJECT:\tsecond\n\tcontinued\n",
        "Subject: last field without a line end\r\nFrom: x@example.org",
        "Date: only a date\n",
        "",
        "From: =?UTF-8?Q?Caf=C3=A9?= <c@example.org>\r\nCc: a@b, c@d\r\nReply-To: r@example.org\r\n",
    ];

    private static readonly string[][] NameSets =
    [
        ["From"], ["SUBJECT"], ["to", "cc"], ["Subject", "From", "Date"], ["Message-ID"], ["Reply-To", "Cc"],
    ];

    private static byte[] Raw(string block, bool blankLine) => [blankLine ? (byte)1 : (byte)0, .. Encoding.UTF8.GetBytes(block)];

    [Test]
    public void FilterGivesWhatTheParsedBlockGives()
    {
        foreach (string block in Blocks)
        {
            foreach (bool blankLine in new[] { true, false })
            {
                foreach (var names in NameSets)
                {
                    var expected = SectionLocator.FilterHeader(HeaderParser.Parse(Encoding.UTF8.GetBytes(block)), names, false, blankLine);
                    var actual = CachedHeaderFields.Filter(Raw(block, blankLine), names);
                    Assert.That(Encoding.UTF8.GetString(actual), Is.EqualTo(Encoding.UTF8.GetString(expected)),
                        $"{string.Join(",", names)} of {block}");
                }
            }
        }
    }

    [Test]
    public void FieldsNamedHoldsEveryFieldOfThatName()
    {
        foreach (string block in Blocks)
        {
            var parsed = HeaderParser.Parse(Encoding.UTF8.GetBytes(block));
            foreach (string name in new[] { "From", "subject", "To", "Date", "Cc", "Message-ID" })
            {
                var expected = parsed.Fields.Where(f => f.HasColon && f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    .Select(f => (f.Name, f.Value)).ToList();
                var actual = CachedHeaderFields.FieldsNamed(Raw(block, true), name).Fields
                    .Select(f => (f.Name, f.Value)).ToList();
                Assert.That(actual, Is.EqualTo(expected), $"{name} of {block}");
            }
        }
    }

    /// <summary>Random blocks: folded fields, blanks before the colon, lines without a colon, a colon only on a continuation line, LF and CRLF, no last line end.</summary>
    [Test]
    public void RandomBlocksFilterAsTheParsedBlock()
    {
        string[] names = ["From", "To", "Subject", "Date", "Cc", "X-Other"];
        string[] lineEnds = ["\r\n", "\n"];
        var random = new Random(20261208);
        for (int round = 0; round < 2000; round++)
        {
            var block = new StringBuilder();
            int fields = random.Next(0, 8);
            for (int f = 0; f < fields; f++)
            {
                string end = lineEnds[random.Next(2)];
                switch (random.Next(6))
                {
                    case 0:
                        block.Append("no colon here").Append(end);
                        break;
                    case 1:
                        block.Append("Odd line").Append(end).Append(" continued: with colon").Append(end);
                        break;
                    default:
                        string name = names[random.Next(names.Length)];
                        name = random.Next(3) == 0 ? name.ToUpperInvariant() : name;
                        block.Append(name).Append(random.Next(4) == 0 ? " \t:" : ":").Append(" value ").Append(round).Append(end);
                        for (int c = random.Next(0, 3); c > 0; c--)
                        {
                            block.Append(random.Next(2) == 0 ? " " : "\t").Append("more: ").Append(c).Append(end);
                        }

                        break;
                }
            }

            string text = random.Next(5) == 0 && block.Length > 2 ? block.ToString().TrimEnd('\n', '\r') : block.ToString();
            bool blankLine = random.Next(2) == 0;
            var wanted = names.Where(_ => random.Next(2) == 0).Select(n => random.Next(2) == 0 ? n.ToLowerInvariant() : n).ToArray();
            var parsed = HeaderParser.Parse(Encoding.UTF8.GetBytes(text));
            var expected = SectionLocator.FilterHeader(parsed, wanted, false, blankLine);
            var actual = CachedHeaderFields.Filter(Raw(text, blankLine), wanted);
            Assert.That(Encoding.UTF8.GetString(actual), Is.EqualTo(Encoding.UTF8.GetString(expected)), $"{string.Join(",", wanted)} of {text}");
            var expectedFields = parsed.Fields.Where(f => f.HasColon && wanted.Contains(f.Name, StringComparer.OrdinalIgnoreCase))
                .Select(f => (f.Name, f.Value)).ToList();
            Assert.That(CachedHeaderFields.FieldsNamed(Raw(text, true), wanted).Fields.Select(f => (f.Name, f.Value)).ToList(),
                Is.EqualTo(expectedFields), $"{string.Join(",", wanted)} of {text}");
        }
    }
}
