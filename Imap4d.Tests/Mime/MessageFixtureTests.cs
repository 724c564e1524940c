using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

/// <summary>
/// Golden-file tests: every Fixtures/messages/*.eml, in LF and CRLF form, against
/// &lt;name&gt;.&lt;lf|crlf&gt;.bodystructure, &lt;name&gt;.envelope and &lt;name&gt;.&lt;lf|crlf&gt;.sections.
/// Set IMAP4D_UPDATE_GOLDEN=1 to rewrite them.
/// </summary>
[TestFixture]
public class MessageFixtureTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string name in MimeFixtures.Names())
        {
            yield return new TestCaseData(name, false).SetName($"{name} (LF)");
            yield return new TestCaseData(name, true).SetName($"{name} (CRLF)");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesGoldenFiles(string name, bool crlf)
    {
        byte[] message = MimeFixtures.Load(name, crlf);
        var root = MimeScanner.Scan(message);
        CheckInvariants(root, message);
        string form = crlf ? "crlf" : "lf";

        using var bs = new MemoryStream();
        bs.Write("BODY "u8);
        bs.Write(MimeFixtures.Body(root, false));
        bs.Write("\nBODYSTRUCTURE "u8);
        bs.Write(MimeFixtures.Body(root, true));
        bs.Write("\n"u8);
        MimeFixtures.AssertGolden($"{name}.{form}.bodystructure", bs.ToArray());

        byte[] envelope = [.. MimeFixtures.Envelope(root), (byte)'\n'];
        MimeFixtures.AssertGolden($"{name}.envelope", envelope);

        MimeFixtures.AssertGolden($"{name}.{form}.sections", Encoding.Latin1.GetBytes(MimeFixtures.SectionsReport(root, message)));
    }

    [TestCaseSource(nameof(Cases))]
    public void StreamingWithTinyReadsGivesTheSameTree(string name, bool crlf)
    {
        byte[] message = MimeFixtures.Load(name, crlf);
        var expected = MimeFixtures.Body(MimeScanner.Scan(message), true);
        var actual = MimeFixtures.Body(MimeScanner.Scan(new TrickleStream(message, 7)), true);
        Assert.That(actual, Is.EqualTo(expected));
    }

    /// <summary>Offsets nest, lines are LF counts, encapsulated messages fill their part's body.</summary>
    internal static void CheckInvariants(MimePart part, byte[] message)
    {
        Assert.That(part.HeaderOffset, Is.GreaterThanOrEqualTo(0));
        Assert.That(part.BodyOffset, Is.InRange(part.HeaderOffset, part.EndOffset));
        Assert.That(part.EndOffset, Is.LessThanOrEqualTo(message.Length));
        long lf = message.AsSpan((int)part.BodyOffset, (int)part.BodySize).Count((byte)'\n');
        Assert.That(part.BodyLines, Is.EqualTo(lf), $"lines of part at {part.HeaderOffset}");
        long last = part.BodyOffset;
        foreach (var child in part.Children)
        {
            Assert.That(child.HeaderOffset, Is.GreaterThanOrEqualTo(last));
            Assert.That(child.EndOffset, Is.LessThanOrEqualTo(part.EndOffset));
            last = child.EndOffset;
            CheckInvariants(child, message);
        }

        if (part.Message is { } inner)
        {
            Assert.That(inner.HeaderOffset, Is.EqualTo(part.BodyOffset));
            Assert.That(inner.EndOffset, Is.EqualTo(part.EndOffset));
            CheckInvariants(inner, message);
        }
    }
}
