using System.Diagnostics;
using System.Text;
using Imap4d.Mime;

namespace Imap4d.Tests.Mime;

/// <summary>Random MIME trees round-trip with exact offsets; garbage never throws; huge lines cost no memory.</summary>
[TestFixture]
public class MimePropertyTests
{
    private sealed class Node
    {
        public string Kind = "leaf"; // leaf, multipart, message
        public List<Node> Children = [];
        public long Header;
        public long Body;
        public long End;
    }

    private sealed class Writer(Random rnd, string nl, bool mixed)
    {
        public readonly MemoryStream Out = new();

        public long Pos => Out.Position;

        public void Text(string s) => Out.Write(Encoding.ASCII.GetBytes(s));

        public void Nl() => Text(mixed && rnd.Next(3) == 0 ? (nl == "\n" ? "\r\n" : "\n") : nl);

        public void Line(string s)
        {
            Text(s);
            Nl();
        }
    }

    private static Node Generate(Random rnd, int depth)
    {
        var n = new Node();
        int r = depth >= 5 ? 0 : rnd.Next(10);
        if (r >= 7)
        {
            n.Kind = "multipart";
            int count = rnd.Next(1, 5);
            for (int i = 0; i < count; i++)
            {
                n.Children.Add(Generate(rnd, depth + 1));
            }
        }
        else if (r == 6)
        {
            n.Kind = "message";
            n.Children.Add(Generate(rnd, depth + 1));
        }

        return n;
    }

    private static string Words(Random rnd, int max)
    {
        const string alphabet = "abcdefghij klmnop-=.:QRST";
        var sb = new StringBuilder();
        int len = rnd.Next(max);
        for (int i = 0; i < len; i++)
        {
            sb.Append(alphabet[rnd.Next(alphabet.Length)]);
        }

        return "x" + sb;
    }

    /// <summary>Writes a part (header, blank line, body); the body's end is recorded before any boundary CRLF.</summary>
    private static void Serialize(Writer w, Node n, Random rnd, int depth)
    {
        n.Header = w.Pos;
        string boundary = $"=_b{depth}_{rnd.Next():x8}";
        if (rnd.Next(2) == 0)
        {
            w.Line("Subject: " + Words(rnd, 30));
        }

        switch (n.Kind)
        {
            case "multipart":
                w.Line($"Content-Type: multipart/{(rnd.Next(2) == 0 ? "mixed" : "alternative")};");
                w.Line($"\tboundary=\"{boundary}\"");
                break;
            case "message":
                w.Line("Content-Type: message/rfc822");
                break;
            default:
                if (rnd.Next(2) == 0)
                {
                    w.Line("Content-Type: text/plain; charset=utf-8");
                }

                break;
        }

        w.Nl();
        n.Body = w.Pos;
        switch (n.Kind)
        {
            case "multipart":
                if (rnd.Next(2) == 0)
                {
                    w.Line("preamble " + Words(rnd, 20));
                }

                foreach (var c in n.Children)
                {
                    w.Line("--" + boundary + (rnd.Next(4) == 0 ? "  \t" : ""));
                    Serialize(w, c, rnd, depth + 1);
                    w.Nl();
                }

                w.Text("--" + boundary + "--");
                if (rnd.Next(2) == 0)
                {
                    w.Nl();
                    w.Text("epilogue " + Words(rnd, 20));
                }

                break;
            case "message":
                Serialize(w, n.Children[0], rnd, depth + 1);
                break;
            default:
                int lines = rnd.Next(4);
                for (int i = 0; i < lines; i++)
                {
                    if (i > 0)
                    {
                        w.Nl();
                    }

                    w.Text(Words(rnd, 60));
                }

                if (lines > 0 && rnd.Next(3) == 0)
                {
                    w.Nl();
                }

                break;
        }

        n.End = w.Pos;
    }

    private static void Compare(Node expected, MimePart actual, byte[] message, bool root)
    {
        Assert.That(actual.HeaderOffset, Is.EqualTo(expected.Header), "header offset");
        Assert.That(actual.BodyOffset, Is.EqualTo(expected.Body), "body offset");
        if (!root || expected.Kind != "multipart")
        {
            Assert.That(actual.EndOffset, Is.EqualTo(expected.End), "end offset");
        }

        switch (expected.Kind)
        {
            case "multipart":
                Assert.That(actual.IsMultipart, Is.True);
                Assert.That(actual.Children, Has.Count.EqualTo(expected.Children.Count));
                for (int i = 0; i < expected.Children.Count; i++)
                {
                    Compare(expected.Children[i], actual.Children[i], message, false);
                }

                break;
            case "message":
                Assert.That(actual.Message, Is.Not.Null);
                Compare(expected.Children[0], actual.Message!, message, false);
                break;
            default:
                Assert.That(actual.IsMultipart || actual.IsMessage, Is.False);
                break;
        }
    }

    [Test]
    public void RandomTreesRoundTripWithExactOffsets([Values("\n", "\r\n")] string nl, [Values(false, true)] bool mixed)
    {
        var rnd = new Random(nl.Length * 1000 + (mixed ? 7 : 0));
        for (int iteration = 0; iteration < 300; iteration++)
        {
            var tree = Generate(rnd, 0);
            var w = new Writer(rnd, nl, mixed);
            Serialize(w, tree, rnd, 0);
            byte[] message = w.Out.ToArray();
            var root = MimeScanner.Scan(message);
            Assert.That(root.EndOffset, Is.EqualTo(message.Length));
            Compare(tree, root, message, true);
            MessageFixtureTests.CheckInvariants(root, message);
            Assert.DoesNotThrow(() => MimeFixtures.Body(root, true));
        }
    }

    [Test]
    public void RandomGarbageNeverThrowsAndIsQuick()
    {
        var rnd = new Random(42);
        string[] pieces =
        [
            "--a", "--a--", "--ab", "Content-Type: multipart/mixed; boundary=a\n", "Content-Type: multipart/mixed; boundary=ab\r\n",
            "Content-Type: message/rfc822\n", "\n", "\r\n", "\r", " ", "\t", ":", "\0", "\xff", "=?utf-8?b?", "?=", "From: <@a,@b:c@d>;:,\n",
            "To: g: a@b, (c) \"d\" <e>;\n", "Content-Disposition: x; filename*0*=a'b'%; filename*1=\"\n", "Content-Language: (\n",
        ];
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 2000; i++)
        {
            var sb = new StringBuilder();
            int n = rnd.Next(60);
            for (int j = 0; j < n; j++)
            {
                if (rnd.Next(3) == 0)
                {
                    sb.Append((char)rnd.Next(256));
                }
                else
                {
                    sb.Append(pieces[rnd.Next(pieces.Length)]);
                }
            }

            byte[] message = Encoding.Latin1.GetBytes(sb.ToString());
            var root = MimeScanner.Scan(message);
            MessageFixtureTests.CheckInvariants(root, message);
            Assert.That(root.EndOffset, Is.EqualTo(message.Length));
            MimeFixtures.Body(root, true);
            MimeFixtures.Envelope(root);
            MimeFixtures.SectionsReport(root, message);
            Rfc2047Decoder.Decode(sb.ToString());
        }

        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void FiftyMegabyteSingleLinePartScansInBoundedMemory()
    {
        const long size = 50L * 1024 * 1024;
        byte[] head = Encoding.ASCII.GetBytes(
            "From: big@example.com\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\nContent-Type: application/octet-stream\r\n\r\n");
        byte[] tail = Encoding.ASCII.GetBytes("\r\n--big\r\nContent-Type: text/plain\r\n\r\nsmall\r\n--big--\r\n");
        using var stream = new GeneratedStream(head, size, tail);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var root = MimeScanner.Scan(stream);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(root.Children, Has.Count.EqualTo(2));
        Assert.That(root.Children[0].BodySize, Is.EqualTo(size));
        Assert.That(root.Children[0].BodyLines, Is.EqualTo(0));
        Assert.That(root.Children[1].BodySize, Is.EqualTo(5));
        Assert.That(root.EndOffset, Is.EqualTo(head.Length + size + tail.Length));
        Assert.That(allocated, Is.LessThan(1024 * 1024), "bytes allocated while scanning");
    }

    [Test]
    public void ManyShortLinesScanQuickly()
    {
        var sb = new StringBuilder("Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        string line = new string('Q', 76) + "\r\n";
        for (int i = 0; i < 20 * 1024 * 1024 / line.Length; i++)
        {
            sb.Append(line);
        }

        sb.Append("--q--\r\n");
        byte[] message = Encoding.ASCII.GetBytes(sb.ToString());
        var sw = Stopwatch.StartNew();
        var root = MimeScanner.Scan(message);
        TestContext.Out.WriteLine($"{message.Length / 1048576.0 / sw.Elapsed.TotalSeconds:F0} MB/s");
        Assert.That(root.Children[0].BodyLines, Is.EqualTo(20 * 1024 * 1024 / line.Length - 1));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public void HugeHeaderLineIsCappedButContentFieldsSurvive()
    {
        const long size = 20L * 1024 * 1024;
        byte[] head = Encoding.ASCII.GetBytes("X-Huge: ");
        byte[] tail = Encoding.ASCII.GetBytes("\r\nContent-Type: text/html\r\n\r\nbody\r\n");
        using var stream = new GeneratedStream(head, size, tail);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var root = MimeScanner.Scan(stream);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(root.EffectiveType.Subtype, Is.EqualTo("html"));
        Assert.That(root.Header.Truncated, Is.True);
        Assert.That(root.BodySize, Is.EqualTo(6));
        Assert.That(allocated, Is.LessThan(4 * 1024 * 1024));
    }

    /// <summary>head + <c>size</c> bytes of 'A' + tail, produced on the fly.</summary>
    private sealed class GeneratedStream(byte[] head, long size, byte[] tail) : Stream
    {
        private long _pos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => head.Length + size + tail.Length;

        public override long Position
        {
            get => _pos;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = 0;
            while (n < buffer.Length && _pos < Length)
            {
                if (_pos < head.Length)
                {
                    buffer[n++] = head[_pos++];
                }
                else if (_pos < head.Length + size)
                {
                    int run = (int)Math.Min(buffer.Length - n, head.Length + size - _pos);
                    buffer.Slice(n, run).Fill((byte)'A');
                    n += run;
                    _pos += run;
                }
                else
                {
                    buffer[n++] = tail[_pos - head.Length - size];
                    _pos++;
                }
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
