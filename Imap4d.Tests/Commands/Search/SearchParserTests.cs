using System.Text;
using Imap4d.Commands.Search;
using Imap4d.Config;
using Imap4d.Protocol;

namespace Imap4d.Tests.Commands.Search;

/// <summary>SEARCH arguments to key trees: every key, precedence, strings, charsets, bad syntax.</summary>
public class SearchParserTests
{
    /// <summary>Parses the arguments of "t SEARCH &lt;text&gt;" (no literals) as the session would.</summary>
    internal static SearchKey Parse(string text)
    {
        var parser = new ArgumentParser(new ProtocolLimits());
        Assert.That(parser.ParseSegment(Encoding.UTF8.GetBytes("t SEARCH " + text)), Is.Null);
        using var command = parser.Finish();
        return SearchParser.Parse(new ArgReader(command.Args));
    }

    // Keys print in the order they run: an AND list puts cheap keys (flags, sizes) before header keys.
    [TestCase("ALL", "ALL")]
    [TestCase("answered", "ANSWERED")]
    [TestCase("DELETED", "DELETED")]
    [TestCase("DRAFT", "DRAFT")]
    [TestCase("FLAGGED", "FLAGGED")]
    [TestCase("SEEN", "SEEN")]
    [TestCase("UNANSWERED", "UNANSWERED")]
    [TestCase("UNDELETED", "UNDELETED")]
    [TestCase("UNDRAFT", "UNDRAFT")]
    [TestCase("UNFLAGGED", "UNFLAGGED")]
    [TestCase("UNSEEN", "UNSEEN")]
    [TestCase("RECENT", "RECENT")]
    [TestCase("OLD", "OLD")]
    [TestCase("NEW", "(RECENT UNSEEN)")]
    [TestCase("KEYWORD $Work", "KEYWORD $Work")]
    [TestCase("UNKEYWORD foo", "UNKEYWORD foo")]
    [TestCase("LARGER 100", "LARGER 100")]
    [TestCase("SMALLER 4294967295", "SMALLER 4294967295")]
    [TestCase("BEFORE 1-Feb-1994", "BEFORE 1-Feb-1994")]
    [TestCase("ON \"01-Feb-1994\"", "ON 1-Feb-1994")]
    [TestCase("SINCE 28-feb-2024", "SINCE 28-Feb-2024")]
    [TestCase("SENTBEFORE 1-Feb-1994", "SENTBEFORE 1-Feb-1994")]
    [TestCase("SENTON 1-Feb-1994", "SENTON 1-Feb-1994")]
    [TestCase("SENTSINCE 1-Feb-1994", "SENTSINCE 1-Feb-1994")]
    [TestCase("FROM alice", "HEADER From \"alice\"")]
    [TestCase("TO \"Bob Smith\"", "HEADER To \"Bob Smith\"")]
    [TestCase("CC carol", "HEADER Cc \"carol\"")]
    [TestCase("BCC dan", "HEADER Bcc \"dan\"")]
    [TestCase("SUBJECT \"a \\\"b\\\"\"", "HEADER Subject \"a \"b\"\"")]
    [TestCase("HEADER X-Spam \"\"", "HEADER X-Spam \"\"")]
    [TestCase("BODY zebra", "BODY \"zebra\"")]
    [TestCase("TEXT zebra", "TEXT \"zebra\"")]
    [TestCase("UID 1:*", "UID 1:*")]
    [TestCase("UID 3,5:7", "UID 3,5:7")]
    [TestCase("1:*", "1:*")]
    [TestCase("*:4,2", "*:4,2")]
    [TestCase("NOT SEEN", "NOT SEEN")]
    [TestCase("OR SEEN FLAGGED", "OR SEEN FLAGGED")]
    public void ParsesEveryKey(string text, string expected)
    {
        Assert.That(Parse(text).ToString(), Is.EqualTo(expected));
    }

    [TestCase("OR SEEN FLAGGED DELETED", "(OR SEEN FLAGGED DELETED)")]
    [TestCase("OR SEEN (FLAGGED DELETED)", "OR SEEN (FLAGGED DELETED)")]
    [TestCase("NOT SEEN FLAGGED", "(NOT SEEN FLAGGED)")]
    [TestCase("NOT (SEEN FLAGGED)", "NOT (SEEN FLAGGED)")]
    [TestCase("OR NOT SEEN OR DELETED DRAFT", "OR NOT SEEN OR DELETED DRAFT")]
    [TestCase("((SEEN))", "SEEN")]
    [TestCase("SUBJECT x SEEN", "(SEEN HEADER Subject \"x\")")]
    [TestCase("BODY x SUBJECT y LARGER 5", "(LARGER 5 HEADER Subject \"y\" BODY \"x\")")]
    [TestCase("CHARSET UTF-8 SUBJECT \"caf\u00e9\"", "HEADER Subject \"caf\u00e9\"")]
    [TestCase("charset us-ascii ALL", "ALL")]
    [TestCase("CHARSET ISO-8859-1 ALL", "ALL")]
    public void PrecedenceListsAndCharset(string text, string expected)
    {
        Assert.That(Parse(text).ToString(), Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("FOO")]
    [TestCase("()")]
    [TestCase("NOT")]
    [TestCase("OR SEEN")]
    [TestCase("LARGER")]
    [TestCase("LARGER -1")]
    [TestCase("LARGER x")]
    [TestCase("SMALLER 4294967296")]
    [TestCase("BEFORE 31-Feb-2024")]
    [TestCase("BEFORE 1-Foo-2024")]
    [TestCase("SINCE yesterday")]
    [TestCase("HEADER Subject")]
    [TestCase("SUBJECT")]
    [TestCase("UID")]
    [TestCase("UID x")]
    [TestCase("0")]
    [TestCase("1:0")]
    [TestCase("KEYWORD \"quoted\"")]
    [TestCase("CHARSET")]
    [TestCase("CHARSET UTF-8")]
    [TestCase("SEEN NIL)")]
    public void BadSyntaxIsBad(string text)
    {
        Assert.Catch<ImapSyntaxException>(() => Parse(text));
    }

    [Test]
    public void NestingIsBounded()
    {
        Assert.That(Parse(string.Concat(Enumerable.Repeat("NOT ", SearchParser.MaxDepth - 1)) + "SEEN"), Is.InstanceOf<NotKey>());
        Assert.Throws<ImapSyntaxException>(() => Parse(string.Concat(Enumerable.Repeat("NOT ", SearchParser.MaxDepth + 1)) + "SEEN"));
        Assert.Throws<ImapSyntaxException>(() => Parse(string.Concat(Enumerable.Repeat("OR SEEN ", SearchParser.MaxDepth + 1)) + "SEEN"));
    }

    [TestCase("X-UNKNOWN")]
    [TestCase("ISO-8859-99")]
    public void UnknownCharsetIsBadCharset(string charset)
    {
        var e = Assert.Throws<SearchCharsetException>(() => Parse("CHARSET " + charset + " SUBJECT x"));
        Assert.That(e!.Charset, Is.EqualTo(charset));
    }

    [Test]
    public void StringsInALegacyCharsetAreDecoded()
    {
        var parser = new ArgumentParser(new ProtocolLimits());
        parser.ParseSegment("t SEARCH CHARSET ISO-8859-1 SUBJECT "u8);
        parser.AddLiteral(StringArg.FromBytes([0x63, 0x61, 0x66, 0xe9], isLiteral: true));
        using var command = parser.Finish();
        var key = (HeaderKey)SearchParser.Parse(new ArgReader(command.Args));
        Assert.That(key.Text, Is.EqualTo("caf\u00e9"));
    }

    [TestCaseSource(typeof(Imap4d.Tests.Mime.CharsetSamples), nameof(Imap4d.Tests.Mime.CharsetSamples.Cases))]
    public void StringsInEveryCharsetAreDecoded(string charset, byte[] bytes, string text)
    {
        var parser = new ArgumentParser(new ProtocolLimits());
        parser.ParseSegment(Encoding.ASCII.GetBytes($"t SEARCH CHARSET {charset} BODY "));
        parser.AddLiteral(StringArg.FromBytes(bytes, isLiteral: true));
        using var command = parser.Finish();
        var key = (BodyKey)SearchParser.Parse(new ArgReader(command.Args));
        Assert.That(key.Text, Is.EqualTo(text));
    }

    [Test]
    public void BodyNeedlesAreSharedWhenCompiled()
    {
        // Same folded string, same slot; TEXT also searches part headers, so it has a slot of its own.
        var program = SearchProgram.Compile(Parse("OR BODY Zebra BODY zebra TEXT zebra"));
        var bodies = Flatten(program.Root).OfType<BodyKey>().ToList();
        Assert.That(bodies.Select(b => b.NeedleIndex), Is.EqualTo(new[] { 0, 0, 1 }));
    }

    private static IEnumerable<SearchKey> Flatten(SearchKey key) => key.Children.SelectMany(Flatten).Prepend(key);
}
