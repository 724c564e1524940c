using Imap4d.Config;
using Imap4d.Protocol;
using static Imap4d.Tests.Protocol.ReaderHarness;

namespace Imap4d.Tests.Protocol;

/// <summary>
/// Table-driven: bytes in, a canonical print of what the reader produced out. In the prints
/// atoms are bare, strings are "..." with their exact bytes (\xNN for the unprintable),
/// literals carry a {n} prefix, "+" marks a continuation request and BAD/BYE/EOF the outcomes.
/// </summary>
[TestFixture]
public class CommandReaderTests
{
    public static readonly object[][] ValidCases =
    [
        ["a NOOP\r\n", new[] { "a NOOP" }],
        ["a1 noop\r\n", new[] { "a1 NOOP" }],
        ["A001 LOGIN fred secret\r\n", new[] { "A001 LOGIN fred secret" }],
        ["t SELECT \"INBOX\"\r\n", new[] { "t SELECT \"INBOX\"" }],
        ["t X \"a \\\"q\\\" b\\\\c\"\r\n", new[] { "t X \"a \\\"q\\\" b\\\\c\"" }],
        ["t X \"\" \"\"\r\n", new[] { "t X \"\" \"\"" }],
        ["t X NIL nil \"NIL\"\r\n", new[] { "t X NIL nil \"NIL\"" }],
        ["t X \"caf\xc3\xa9\"\r\n", new[] { "t X \"caf\\xC3\\xA9\"" }],
        ["t X () (a) (a (b (c \"d\")) ()) e\r\n", new[] { "t X () (a) (a (b (c \"d\")) ()) e" }],
        ["t X ((()))\r\n", new[] { "t X ((()))" }],
        ["t FETCH 1 BODY[HEADER.FIELDS (A B)]<0.10>\r\n", new[] { "t FETCH 1 BODY[HEADER.FIELDS (A B)]<0.10>" }],
        ["t FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS.NOT (\"X-A\" Y)] UID)\r\n",
            new[] { "t FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS.NOT (\"X-A\" Y)] UID)" }],
        ["t FETCH 1 BODY[]\r\n", new[] { "t FETCH 1 BODY[]" }],
        ["t UID FETCH 1,3:5,7:*,* (UID)\r\n", new[] { "t UID FETCH 1,3:5,7:*,* (UID)" }],
        ["t STORE 1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)\r\n", new[] { "t STORE 1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)" }],
        ["t LIST \"\" %/*\r\n", new[] { "t LIST \"\" %/*" }],
        ["t X a]b\r\n", new[] { "t X a]b" }],
        // "[" is an ATOM-CHAR (RFC 3501 §9): without a closing "]" it is no section.
        ["t LOGIN fred pa[ss\r\n", new[] { "t LOGIN fred pa[ss" }],
        ["t LOGIN pa[ss fred\r\n", new[] { "t LOGIN pa[ss fred" }],
        ["t X (a[b) [\r\n", new[] { "t X (a[b) [" }],
        ["t FETCH 1 BODY[HEADER\r\n", new[] { "t FETCH 1 BODY[HEADER" }],
        ["t X  a   b \r\n", new[] { "t X a b" }],
        // Synchronizing literals: one continuation request per literal.
        ["t LOGIN {4}\r\nfred {6}\r\nsecret\r\n", new[] { "+", "+", "t LOGIN {4}\"fred\" {6}\"secret\"" }],
        ["t X {0}\r\n\r\n", new[] { "+", "t X {0}\"\"" }],
        ["t X ({3}\r\nabc)\r\n", new[] { "+", "t X ({3}\"abc\")" }],
        // Non-synchronizing literals: no continuation request.
        ["t LOGIN {4+}\r\nfred {6+}\r\nsecret\r\n", new[] { "t LOGIN {4}\"fred\" {6}\"secret\"" }],
        ["t X {2-}\r\nab\r\n", new[] { "t X {2}\"ab\"" }],
        // Literal payloads are raw bytes: CRLF, NUL, 8-bit, quotes, braces.
        ["t X {12}\r\na\r\nb\0\xff\"\\{1}\n\r\n", new[] { "+", "t X {12}\"a\\x0D\\x0Ab\\x00\\xFF\\\"\\\\{1}\\x0A\"" }],
        ["t APPEND INBOX (\\Seen) {7+}\r\nx\r\n\r\ny\r\r\n", new[] { "t APPEND INBOX (\\Seen) {7}\"x\\x0D\\x0A\\x0D\\x0Ay\\x0D\"" }],
        // Bare LF ends a line like CRLF; blank lines are skipped.
        ["a NOOP\nb NOOP\n", new[] { "a NOOP", "b NOOP" }],
        ["\r\n\n\r\na NOOP\r\n\r\n", new[] { "a NOOP" }],
        ["t X {3}\nabc\n", new[] { "+", "t X {3}\"abc\"" }],
        // Pipelined commands in one buffer.
        ["a NOOP\r\nb LOGIN {1+}\r\nx y\r\nc SELECT INBOX\r\nd CHECK\r\n",
            new[] { "a NOOP", "b LOGIN {1}\"x\" y", "c SELECT INBOX", "d CHECK" }],
        // Partial last line: dropped at end of stream.
        ["a NOOP\r\nb NOO", new[] { "a NOOP" }],
        ["a X {5}\r\nab", new[] { "+" }],
        ["a X {5+}\r\nab", Array.Empty<string>()],
    ];

    [TestCaseSource(nameof(ValidCases))]
    public async Task ReadsValidInput(string input, string[] expected)
    {
        Assert.That(await RunAsync(Latin1(input)), Is.EqualTo(expected.Append("EOF")));
    }

    /// <summary>Each bad command is followed by a good one that must come out intact.</summary>
    public static readonly object[][] ErrorCases =
    [
        ["+ NOOP\r\n", "BAD * Invalid tag"],
        ["a{ NOOP\r\n", "BAD * Invalid tag"],
        ["a* NOOP\r\n", "BAD * Invalid tag"],
        ["a\"b NOOP\r\n", "BAD * Invalid tag"],
        [" a NOOP\r\n", "BAD * Invalid tag"],
        ["abc\r\n", "BAD abc Missing command"],
        ["abc \r\n", "BAD abc Invalid command"],
        ["abc NO\"OP\r\n", "BAD abc Invalid command"],
        ["t X \"abc\r\n", "BAD t Unterminated quoted string"],
        ["t X \"a\\b\"\r\n", "BAD t Invalid escape in quoted string"],
        ["t X \"a\\\r\n", "BAD t Invalid escape in quoted string"],
        ["t X \"a\rb\"\r\n", "BAD t Invalid character in quoted string"],
        ["t X \"a\0b\"\r\n", "BAD t Invalid character in quoted string"],
        ["t X \"a\"b\r\n", "BAD t Missing space between arguments"],
        ["t X (a)b\r\n", "BAD t Missing space between arguments"],
        ["t X a(b)\r\n", "BAD t Missing space between arguments"],
        ["t X a)\r\n", "BAD t Unexpected )"],
        ["t X (a\r\n", "BAD t Unbalanced parentheses"],
        ["t X ((a) (b)\r\n", "BAD t Unbalanced parentheses"],
        ["t X a\"b\r\n", "BAD t Invalid character in atom"],
        ["t X a\x80\r\n", "BAD t Invalid character in atom"],
        ["t X a\tb\r\n", "BAD t Invalid character in atom"],
        ["t X a{5\r\n", "BAD t Invalid character in atom"],
        ["t FETCH 1 BODY[\x01]\r\n", "BAD t Invalid character in section"],
        ["t X {abc}\r\n", "BAD t Invalid literal"],
        ["t X {5} a\r\n", "BAD t Invalid literal"],
        ["t X {ab{5}\r\n", "BAD t Invalid literal"],
        ["t X {5}}\r\n", "BAD t Invalid literal"],
        // A broken line announcing a synchronizing literal: no "+" is sent, nothing more is read.
        ["t X \"a\" b\"c {5}\r\n", "BAD t Invalid character in atom"],
        ["t X a) {5}\r\n", "BAD t Unexpected )"],
        // ...and one announcing a non-synchronizing literal: the literal is read and dropped,
        // including further literals on the lines that follow it.
        ["t X a) {5+}\r\nb NOP\r\n", "BAD t Unexpected )"],
        ["t X a) {5+}\r\nb NOP {3+}\r\nc\r\n and more\r\n", "BAD t Unexpected )"],
        ["t X a) {0+}\r\n\r\n", "BAD t Unexpected )"],
        // An error in a segment after a literal still reports the tag and skips the rest.
        ["t X {3+}\r\nabc\"d {4+}\r\nz\r\n\r\n", "BAD t Missing space between arguments"],
        ["t X {3+}\r\nabc (\r\n", "BAD t Unbalanced parentheses"],
        // Literals too large for the command: BAD [TOOBIG] when synchronizing (never sent).
        ["t LOGIN {65537}\r\n", "BAD t [TOOBIG] Literal too large"],
        ["t X {99999999999}\r\n", "BAD t [TOOBIG] Literal too large"],
        ["t APPEND INBOX {99999999999}\r\n", "BAD t [TOOBIG] Literal too large"],
        ["t X {9999999999999999999999999999}\r\n", "BAD t [TOOBIG] Literal too large"],
    ];

    [TestCaseSource(nameof(ErrorCases))]
    public async Task RejectsMalformedCommandAndResynchronizes(string bad, string expected)
    {
        string input = bad + "z2 CHECK\r\n";
        var events = await RunAsync(Latin1(input));
        Assert.That(events, Is.EqualTo(new[] { expected, "z2 CHECK", "EOF" }), input);
    }

    [Test]
    public async Task NonSynchronizingLiteralTooLargeIsAProtocolViolation()
    {
        Assert.That(await RunAsync(Latin1("t X {99999999999+}\r\nz CHECK\r\n")),
            Is.EqualTo(new[] { "BYE Literal too large" }));
        Assert.That(await RunAsync(Latin1("t LOGIN {65537+}\r\nz CHECK\r\n")),
            Is.EqualTo(new[] { "BYE Literal too large" }));
        // On a line that is already being rejected, the literal cannot be skipped either.
        Assert.That(await RunAsync(Latin1("t X ) {99999999999+}\r\nz CHECK\r\n")),
            Is.EqualTo(new[] { "BYE Literal too large" }));
    }

    [Test]
    public async Task AppendAcceptsLiteralsAboveTheOrdinaryLimit()
    {
        var limits = new ProtocolLimits { MaxLiteralSize = 4, MaxAppendSize = 10 };
        Assert.That(await RunAsync(Latin1("a APPEND x {10}\r\n0123456789\r\nb LOGIN {5}\r\nc APPEND x {11}\r\nd CHECK\r\n"), limits: limits),
            Is.EqualTo(new[] { "+", "a APPEND x {10}\"0123456789\"", "BAD b [TOOBIG] Literal too large", "BAD c [TOOBIG] Literal too large", "d CHECK", "EOF" }));
    }

    [Test]
    public async Task LiteralContinuationIsRequestedBeforeTheBytesAreRead()
    {
        // The client sends the literal only after seeing "+": the reader must ask first.
        var pipe = new Support.TestPipe();
        var reader = new CommandReader(new InputBuffer(pipe), new ProtocolLimits(), _ =>
        {
            pipe.Write(Latin1("abc\r\n"));
            return ValueTask.CompletedTask;
        });
        pipe.Write(Latin1("t X {3}\r\n"));
        using var command = await reader.ReadCommandAsync(CancellationToken.None);
        Assert.That(Print(command!), Is.EqualTo("t X {3}\"abc\""));
    }

    [Test]
    public async Task RawLines()
    {
        var pipe = new Support.TestPipe();
        pipe.Write(Latin1("dGVzdA==\r\nDONE\n" + new string('x', 70000) + "\r\n\xe9\r\npartial"));
        pipe.Complete();
        var reader = new CommandReader(new InputBuffer(pipe), new ProtocolLimits(), _ => ValueTask.CompletedTask);
        Assert.That(await reader.ReadRawLineAsync(CancellationToken.None), Is.EqualTo("dGVzdA=="));
        Assert.That(await reader.ReadRawLineAsync(CancellationToken.None), Is.EqualTo("DONE"));
        var e = Assert.ThrowsAsync<ImapSyntaxException>(async () => await reader.ReadRawLineAsync(CancellationToken.None));
        Assert.That(e!.Message, Is.EqualTo("Line too long"));
        Assert.That(await reader.ReadRawLineAsync(CancellationToken.None), Is.EqualTo("\u00e9"));
        Assert.That(await reader.ReadRawLineAsync(CancellationToken.None), Is.Null);
    }
}
