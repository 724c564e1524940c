using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class ResponseWriterTests
{
    private static async Task<string> RenderAsync(Action<ResponseWriter> write, List<string>? transcript = null)
    {
        var output = new MemoryStream();
        var writer = new ResponseWriter(output, transcript is null ? null : transcript.Add);
        write(writer);
        await writer.FlushAsync(CancellationToken.None);
        Assert.That(writer.BytesWritten, Is.EqualTo(output.Length));
        return Encoding.Latin1.GetString(output.ToArray());
    }

    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    [TestCase("abc", "\"abc\"")]
    [TestCase("", "\"\"")]
    [TestCase("NIL", "\"NIL\"")]
    [TestCase("a b", "\"a b\"")]
    [TestCase("a\"b", "\"a\\\"b\"")]
    [TestCase("a\\b", "\"a\\\\b\"")]
    [TestCase("\"\\\"", "\"\\\"\\\\\\\"\"")]
    [TestCase("tab\there", "\"tab\there\"")]
    [TestCase("{5}", "\"{5}\"")]
    [TestCase("a\rb", "{3}\r\na\rb")]
    [TestCase("a\nb", "{3}\r\na\nb")]
    [TestCase("a\0b", "{3}\r\na\u0080b")]
    [TestCase("\xe9", "{1}\r\n\xe9")]
    [TestCase("\x80", "{1}\r\n\x80")]
    [TestCase("\x7f", "\"\x7f\"")]
    public async Task StringChoosesQuotedOrLiteral(string latin1, string expected)
    {
        Assert.That(await RenderAsync(w => w.String(Latin1(latin1))), Is.EqualTo(expected));
    }

    [Test]
    public async Task LiteralsNeverHoldNul()
    {
        // RFC 3501 §9: literal = "{" number "}" CRLF *CHAR8, CHAR8 = %x01-ff. NUL goes out as 0x80
        // (as Dovecot sends it), so the length, and every size reported for it, stays the same.
        Assert.That(await RenderAsync(w => w.Literal(Latin1("a\0\0b"))), Is.EqualTo("{4}\r\na\u0080\u0080b"));
        Assert.That(await RenderAsync(w => w.Literal(new MemoryStream(Latin1("\0x\0")), 3)), Is.EqualTo("{3}\r\n\u0080x\u0080"));
    }

    [Test]
    public async Task StringFromTextIsUtf8()
    {
        Assert.That(await RenderAsync(w => w.String("é")), Is.EqualTo("{2}\r\n\xc3\xa9"));
        Assert.That(await RenderAsync(w => w.NString(null).NString("x")), Is.EqualTo("NIL \"x\""));
    }

    [Test]
    public async Task LongStringsAreLiterals()
    {
        string q1024 = new('q', 1024);
        Assert.That(await RenderAsync(w => w.String(q1024)), Is.EqualTo("\"" + q1024 + "\""));
        Assert.That(await RenderAsync(w => w.String(q1024 + "q")), Is.EqualTo("{1025}\r\n" + q1024 + "q"));
        // The limit is on the value, not on its escaped form.
        string slashes = new('\\', 1024);
        Assert.That(await RenderAsync(w => w.String(slashes)), Has.Length.EqualTo(2050));
    }

    [TestCase("abc", "abc")]
    [TestCase("INBOX", "INBOX")]
    [TestCase("a]b", "a]b")]
    [TestCase("[Gmail]/Sent", "[Gmail]/Sent")]
    [TestCase("~peter/&U,BTFw-", "~peter/&U,BTFw-")]
    [TestCase("NIL", "\"NIL\"")]
    [TestCase("nil", "\"nil\"")]
    [TestCase("Nil", "\"Nil\"")]
    [TestCase("NILS", "NILS")]
    [TestCase("", "\"\"")]
    [TestCase("a b", "\"a b\"")]
    [TestCase("a%", "\"a%\"")]
    [TestCase("a*", "\"a*\"")]
    [TestCase("\\Seen", "\"\\\\Seen\"")]
    [TestCase("a(b", "\"a(b\"")]
    [TestCase("a)b", "\"a)b\"")]
    [TestCase("a{b", "\"a{b\"")]
    [TestCase("a\"b", "\"a\\\"b\"")]
    [TestCase("a\tb", "\"a\tb\"")]
    [TestCase("a\u007fb", "\"a\u007fb\"")]
    [TestCase("é", "{2}\r\n\xc3\xa9")]
    [TestCase("a\r\n", "{3}\r\na\r\n")]
    public async Task AStringUsesAnAtomOnlyForValidAtoms(string value, string expected)
    {
        Assert.That(await RenderAsync(w => w.AString(value)), Is.EqualTo(expected));
    }

    [Test]
    public async Task Spacing()
    {
        Assert.That(await RenderAsync(w =>
        {
            w.Untagged().Atom("LIST").BeginList().Atom("\\Noselect").Atom("\\Marked").EndList().String("/").AString("foo").EndLine();
            w.Untagged().Atom("X").BeginList().EndList().BeginList().BeginList().EndList().EndList().Nil().Number(42).EndLine();
            w.Untagged().Atom("NAMESPACE").BeginList()
                .BeginList().String("").String("/").EndList()
                .Adjacent().BeginList().String("Other").Nil().EndList()
                .EndList().Nil().Nil().EndLine();
            w.Untagged().Number(1).Atom("FETCH").BeginList().Atom("BODY[1]").Raw("<0>").String(Latin1("a\r\n")).Atom("UID").Number(9).EndList().EndLine();
            w.Untagged().BeginList().String(Latin1("\0")).String(Latin1("\0")).EndList().EndLine();
        }), Is.EqualTo(
            "* LIST (\\Noselect \\Marked) \"/\" foo\r\n" +
            "* X () (()) NIL 42\r\n" +
            "* NAMESPACE ((\"\" \"/\")(\"Other\" NIL)) NIL NIL\r\n" +
            "* 1 FETCH (BODY[1]<0> {3}\r\na\r\n UID 9)\r\n" +
            "* ({1}\r\n\u0080 {1}\r\n\u0080)\r\n"));
    }

    [Test]
    public async Task StatusLinesAndContinuations()
    {
        Assert.That(await RenderAsync(w =>
        {
            w.Tagged("a1", "OK", "READ-WRITE", "SELECT completed");
            w.Tagged("a2", "BAD", null, "Invalid tag");
            w.UntaggedStatus("BYE", null, "Logging out");
            w.Continue("");
            w.Continue("Ready for literal data");
        }), Is.EqualTo(
            "a1 OK [READ-WRITE] SELECT completed\r\n" +
            "a2 BAD Invalid tag\r\n" +
            "* BYE Logging out\r\n" +
            "+ \r\n" +
            "+ Ready for literal data\r\n"));
    }

    [Test]
    public async Task TranscriptNeverSeesLiteralPayloads()
    {
        var transcript = new List<string>();
        var big = new byte[100_000];
        big.AsSpan().Fill((byte)'S');
        string wire = await RenderAsync(w =>
        {
            w.Untagged().Number(1).Atom("FETCH").BeginList().Atom("BODY[]").Literal(Latin1("SECRET1")).EndList().EndLine();
            w.Untagged().Atom("X").String(Latin1("SECRET2\r\n")).String("ok").EndLine();
            w.Untagged().Atom("Y").Literal(new MemoryStream(Latin1("SECRET3")), 7).Literal(big).EndLine();
            w.Tagged("a", "OK", null, "done");
        }, transcript);
        Assert.That(wire, Does.Contain("SECRET1").And.Contain("SECRET2").And.Contain("SECRET3"));
        Assert.That(transcript, Is.EqualTo(new[]
        {
            "* 1 FETCH (BODY[] {7})",
            "* X {9} \"ok\"",
            "* Y {7} {100000}",
            "a OK done",
        }));
    }

    /// <summary>Counts what is written without keeping it; remembers the start.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public int Writes { get; private set; }

        public MemoryStream Head { get; } = new();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Head.Length < 64)
            {
                Head.Write(buffer[..Math.Min(buffer.Length, 64)]);
            }

            Count += buffer.Length;
            Writes++;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Count;

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A stream of <c>length</c> bytes of 'L', generated on demand.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'L');
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public async Task LargeStreamLiteralIsNotBuffered()
    {
        const long size = 64L * 1024 * 1024;
        var output = new CountingStream();
        var writer = new ResponseWriter(output);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        writer.Untagged().Number(1).Atom("FETCH").BeginList().Atom("BODY[]").Literal(new ZeroStream(size), size).EndList().EndLine();
        long countBeforeFlush = output.Count;
        await writer.FlushAsync(CancellationToken.None);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        string header = "* 1 FETCH (BODY[] {" + size + "}\r\n";
        Assert.That(Encoding.ASCII.GetString(output.Head.ToArray()), Does.StartWith(header + "LLLL"));
        Assert.That(output.Count, Is.EqualTo(header.Length + size + ")\r\n".Length));
        Assert.That(writer.BytesWritten, Is.EqualTo(output.Count));
        Assert.That(countBeforeFlush, Is.GreaterThanOrEqualTo(header.Length + size), "the payload went out as it was read");
        Assert.That(allocated, Is.LessThan(2 * 1024 * 1024));
    }

    [Test]
    public async Task ShortStreamIsPaddedToTheAnnouncedLength()
    {
        Assert.That(await RenderAsync(w => w.Literal(new MemoryStream(Latin1("abc")), 5).Atom("X")),
            Is.EqualTo("{5}\r\nabc\u0080\u0080 X"));
    }

    [Test]
    public async Task LargeResponsesAreWrittenBeforeFlush()
    {
        var output = new CountingStream();
        var writer = new ResponseWriter(output);
        for (int i = 0; i < 10_000; i++)
        {
            writer.Untagged().Number(i).Atom("FETCH").BeginList().Atom("FLAGS").BeginList().Atom("\\Seen").EndList().EndList().EndLine();
        }

        Assert.That(output.Count, Is.GreaterThan(0), "buffer is flushed once large");
        await writer.FlushAsync(CancellationToken.None);
        Assert.That(output.Count, Is.EqualTo(writer.BytesWritten));
    }
}
