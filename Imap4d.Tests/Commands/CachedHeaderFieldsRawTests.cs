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
}
