using System.Text;
using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Tests.Support;
using static Imap4d.Tests.Protocol.ReaderHarness;

namespace Imap4d.Tests.Protocol;

/// <summary>Hostile sizes: the reader answers BAD or BYE, keeps its memory bounded and resynchronizes.</summary>
[TestFixture]
public class LimitsTests
{
    /// <summary>A read-only stream of prefix + <c>count</c> filler bytes + suffix, generated as it is read.</summary>
    private sealed class GeneratedStream(byte[] prefix, long count, byte filler, byte[] suffix, int maxRead) : Stream
    {
        private long _position;

        public long Total => prefix.Length + count + suffix.Length;

        public long Consumed => _position;

        public override int Read(byte[] buffer, int offset, int length) => Read(buffer.AsSpan(offset, length));

        public override int Read(Span<byte> buffer)
        {
            buffer = buffer[..Math.Min(buffer.Length, maxRead)];
            int written = 0;
            while (written < buffer.Length && _position < Total)
            {
                var dest = buffer[written..];
                int n;
                if (_position < prefix.Length)
                {
                    n = Math.Min(dest.Length, prefix.Length - (int)_position);
                    prefix.AsSpan((int)_position, n).CopyTo(dest);
                }
                else if (_position < prefix.Length + count)
                {
                    n = (int)Math.Min(dest.Length, prefix.Length + count - _position);
                    dest[..n].Fill(filler);
                }
                else
                {
                    int at = (int)(_position - prefix.Length - count);
                    n = Math.Min(dest.Length, suffix.Length - at);
                    suffix.AsSpan(at, n).CopyTo(dest);
                }

                written += n;
                _position += n;
            }

            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private string _spool = null!;

    [SetUp]
    public void CreateSpoolDirectory()
    {
        _spool = Path.Combine(Path.GetTempPath(), "imap4d-ptests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_spool);
    }

    [TearDown]
    public void RemoveSpoolDirectory() => Directory.Delete(_spool, recursive: true);

    [Test]
    public async Task OneMegabyteLineIsRejectedAndTheNextCommandWorks()
    {
        string input = "a1 LOGIN " + new string('x', 1024 * 1024) + "\r\nb NOOP\r\n";
        Assert.That(await RunAsync(Latin1(input)), Is.EqualTo(new[] { "BAD a1 Command line too long", "b NOOP", "EOF" }));
        // The same in 1000-byte reads (the line is discarded while it streams in).
        Assert.That(await RunAsync(Latin1(input), Enumerable.Repeat(1000, 2000)),
            Is.EqualTo(new[] { "BAD a1 Command line too long", "b NOOP", "EOF" }));
    }

    [Test]
    public async Task HundredMegabyteLineIsDiscardedInBoundedMemory()
    {
        const long size = 100L * 1024 * 1024;
        // Ending in a non-synchronizing literal, which must still be skipped.
        var stream = new GeneratedStream(Latin1("big APPEND INBOX "), size, (byte)'x', Latin1(" {5+}\r\nhello\r\nb NOOP\r\n"), 256 * 1024);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var events = await RunAsync(stream, new ProtocolLimits());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(events, Is.EqualTo(new[] { "BAD big Command line too long", "b NOOP", "EOF" }));
        Assert.That(stream.Consumed, Is.EqualTo(stream.Total));
        Assert.That(allocated, Is.LessThan(4 * 1024 * 1024), "bytes allocated while discarding a 100 MB line");
    }

    [Test]
    public async Task HugeLiteralLengths()
    {
        Assert.That(await RunAsync(Latin1("t APPEND INBOX {99999999999}\r\nz NOOP\r\n")),
            Is.EqualTo(new[] { "BAD t [TOOBIG] Literal too large", "z NOOP", "EOF" }));
        Assert.That(await RunAsync(Latin1("t APPEND INBOX {99999999999+}\r\nz NOOP\r\n")),
            Is.EqualTo(new[] { "BYE Literal too large" }));
        // Just above and at the APPEND limit.
        var limits = new ProtocolLimits { MaxAppendSize = 100 };
        Assert.That(await RunAsync(Latin1("t APPEND INBOX {101+}\r\nz NOOP\r\n"), limits: limits),
            Is.EqualTo(new[] { "BYE Literal too large" }));
        Assert.That(await RunAsync(Latin1("t APPEND INBOX {100+}\r\n" + new string('m', 100) + "\r\nz NOOP\r\n"), limits: limits),
            Is.EqualTo(new[] { "t APPEND INBOX {100}\"" + new string('m', 100) + "\"", "z NOOP", "EOF" }));
    }

    [Test]
    public async Task TenThousandNestedParentheses()
    {
        string input = "deep X " + new string('(', 10_000) + new string(')', 10_000) + "\r\nz NOOP\r\n";
        Assert.That(await RunAsync(Latin1(input)), Is.EqualTo(new[] { "BAD deep Too deeply nested", "z NOOP", "EOF" }));
        string brackets = "deep FETCH 1 BODY" + new string('[', 10_000) + new string(']', 10_000) + "\r\nz NOOP\r\n";
        Assert.That(await RunAsync(Latin1(brackets)), Is.EqualTo(new[] { "BAD deep Too deeply nested", "z NOOP", "EOF" }));
        // The deepest allowed nesting is accepted.
        string max = "ok X " + new string('(', 64) + new string(')', 64) + "\r\n";
        Assert.That((await RunAsync(Latin1(max)))[0], Does.StartWith("ok X (((("));
    }

    [Test]
    public async Task TooManyArguments()
    {
        var limits = new ProtocolLimits { MaxLineLength = 1024 * 1024 };
        string input = "many X " + string.Concat(Enumerable.Repeat("a ", 100_001)) + "\r\nz NOOP\r\n";
        Assert.That(await RunAsync(Latin1(input), limits: limits), Is.EqualTo(new[] { "BAD many Too many arguments", "z NOOP", "EOF" }));
        string lists = "many X " + string.Concat(Enumerable.Repeat("() ", 100_001)) + "\r\nz NOOP\r\n";
        Assert.That(await RunAsync(Latin1(lists), limits: limits), Is.EqualTo(new[] { "BAD many Too many arguments", "z NOOP", "EOF" }));
        string exact = "many X " + string.Concat(Enumerable.Repeat("a ", 100_000)) + "\r\n";
        Assert.That((await RunAsync(Latin1(exact), limits: limits))[0], Does.StartWith("many X a a"));
        // With default limits such a line is simply too long.
        Assert.That(await RunAsync(Latin1(input)), Is.EqualTo(new[] { "BAD many Command line too long", "z NOOP", "EOF" }));
    }

    private CommandReader SpoolingReader(Stream stream, Action? onContinue = null) =>
        new(new InputBuffer(stream), new ProtocolLimits(), _ =>
        {
            onContinue?.Invoke();
            return ValueTask.CompletedTask;
        })
        { SpoolDirectory = _spool };

    [Test]
    public async Task LargeAppendLiteralIsSpooledToAnUnlinkedFile()
    {
        int size = CommandReader.SpoolThreshold + 1;
        var payload = new byte[size];
        new Random(7).NextBytes(payload);
        var pipe = new TestPipe();
        pipe.Write(Latin1($"a APPEND INBOX {{{size}}}\r\n"));
        pipe.Write(payload);
        pipe.Write(Latin1(" small {3+}\r\nabc\r\nb NOOP\r\n"));
        pipe.Complete();
        int continuations = 0;
        var reader = SpoolingReader(pipe, () => continuations++);

        var command = await reader.ReadCommandAsync(CancellationToken.None);
        Assert.That(command, Is.Not.Null);
        Assert.That(continuations, Is.EqualTo(1));
        var literal = (StringArg)command!.Args[1];
        Assert.That(literal.Content, Is.TypeOf<FileLiteral>());
        Assert.That(literal.Content.Length, Is.EqualTo(size));
        Assert.That(literal.Content.ToArray().AsSpan().SequenceEqual(payload), Is.True);
        using (var read = literal.Content.OpenRead())
        {
            var copy = new MemoryStream();
            read.CopyTo(copy);
            Assert.That(copy.ToArray().AsSpan().SequenceEqual(payload), Is.True);
        }

        Assert.That(((StringArg)command.Args[3]).Content, Is.TypeOf<MemoryLiteral>());
        Assert.That(Directory.GetFiles(_spool), Is.Empty, "the spool file is unlinked at once, so a killed process leaves nothing");
        command.Dispose();

        using var next = await reader.ReadCommandAsync(CancellationToken.None);
        Assert.That(Print(next!), Is.EqualTo("b NOOP"));
    }

    [Test]
    public async Task LiteralAtTheThresholdStaysInMemory()
    {
        int size = CommandReader.SpoolThreshold;
        var pipe = new TestPipe();
        pipe.Write(Latin1($"a APPEND INBOX {{{size}+}}\r\n"));
        pipe.Write(new byte[size]);
        pipe.Write(Latin1("\r\n"));
        pipe.Complete();
        using var command = await SpoolingReader(pipe).ReadCommandAsync(CancellationToken.None);
        Assert.That(((StringArg)command!.Args[1]).Content, Is.TypeOf<MemoryLiteral>());
        Assert.That(Directory.GetFiles(_spool), Is.Empty);
    }

    [Test]
    public async Task SpoolIsRemovedWhenTheCommandFailsAfterTheLiteral()
    {
        int size = CommandReader.SpoolThreshold + 10;
        var pipe = new TestPipe();
        pipe.Write(Latin1($"a APPEND INBOX ({{{size}+}}\r\n"));
        pipe.Write(new byte[size]);
        pipe.Write(Latin1(" x\r\nb NOOP\r\n"));
        pipe.Complete();
        var reader = SpoolingReader(pipe);
        var e = Assert.ThrowsAsync<ImapSyntaxException>(async () => await reader.ReadCommandAsync(CancellationToken.None));
        Assert.That((e!.Tag, e.Message), Is.EqualTo(("a", "Unbalanced parentheses")));
        Assert.That(Directory.GetFiles(_spool), Is.Empty);
        using var next = await reader.ReadCommandAsync(CancellationToken.None);
        Assert.That(Print(next!), Is.EqualTo("b NOOP"));
    }

    [TestCase(") {99999999999+}")]
    [TestCase("{99999999999+}")]
    [TestCase("x", 70_000, " {99999999999+}")]
    public async Task SpoolIsRemovedWhenTheCommandEndsInAProtocolViolation(string rest, int filler = 0, string end = "")
    {
        int size = CommandReader.SpoolThreshold + 10;
        var pipe = new TestPipe();
        pipe.Write(Latin1($"a APPEND INBOX {{{size}+}}\r\n"));
        pipe.Write(new byte[size]);
        pipe.Write(Latin1(" " + rest + new string('x', filler) + end + "\r\nb NOOP\r\n"));
        pipe.Complete();
        var reader = SpoolingReader(pipe);
        Assert.ThrowsAsync<ProtocolViolationException>(async () => await reader.ReadCommandAsync(CancellationToken.None));
        Assert.That(Directory.GetFiles(_spool), Is.Empty);
    }

    [Test]
    public async Task EndOfStreamInsideASpooledLiteral()
    {
        var pipe = new TestPipe();
        pipe.Write(Latin1($"a APPEND INBOX {{{3 * 1024 * 1024}+}}\r\n"));
        pipe.Write(new byte[2 * 1024 * 1024]);
        pipe.Complete();
        Assert.That(await SpoolingReader(pipe).ReadCommandAsync(CancellationToken.None), Is.Null);
        Assert.That(Directory.GetFiles(_spool), Is.Empty);
    }

    [TestCase("a NOOP")]
    [TestCase("a X {5}\r\nab")]
    [TestCase("a X {5+}\r\nab")]
    [TestCase("a X {5+}\r\nabcde")]
    [TestCase("a X {5+}\r\nabcde rest")]
    [TestCase("a X ) {5+}\r\nab")]
    [TestCase("a X ) {5+}\r\nabcde {2+}\r\n")]
    [TestCase("a X \"unterminated")]
    public async Task EndOfStreamInsideACommandGivesNull(string input)
    {
        var events = await RunAsync(Encoding.Latin1.GetBytes("ok NOOP\r\n" + input));
        Assert.That(events.Where(e => e != "+"), Is.EqualTo(new[] { "ok NOOP", "EOF" }));
    }
}
