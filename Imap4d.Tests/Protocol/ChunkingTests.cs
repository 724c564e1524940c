using Imap4d.Config;
using static Imap4d.Tests.Protocol.ReaderHarness;

namespace Imap4d.Tests.Protocol;

/// <summary>
/// However the bytes are split into reads (down to one byte per read), the reader produces
/// exactly what it produces when it gets them all at once. The split is drawn from NUnit's
/// seeded random generator, so a failure repeats with the same seed.
/// </summary>
[TestFixture]
public class ChunkingTests
{
    private const int SplitsPerInput = 25;

    private static IEnumerable<string> Corpus()
    {
        foreach (var c in CommandReaderTests.ValidCases)
        {
            yield return (string)c[0];
        }

        foreach (var c in CommandReaderTests.ErrorCases)
        {
            yield return (string)c[0] + "z2 CHECK\r\n";
        }

        // Lines around the (small) line limit, with and without literal markers at their end.
        string x30 = new('x', 30);
        yield return $"a X {x30}\r\nb X {x30}{x30}\r\nc NOOP\r\n";
        yield return $"a X {x30}{x30} {{5}}\r\nb NOOP\r\n";
        yield return $"a X {x30}{x30} {{5+}}\r\nhello\r\nb NOOP\r\n";
        yield return $"a X {x30}{x30} {{5+}}\r\nhel{x30}{x30}lo {{2+}}\r\nab\r\nb NOOP\r\n";
        yield return $"a X {{5+}}\r\n12345 {x30}{x30}\r\nb NOOP\r\n";
        yield return $"a X {{5+}}\r\n12345 {x30}{x30} {{3+}}\r\nabc\r\nb NOOP\r\n";
        yield return $"{x30}{x30}{x30}\nb NOOP\n";
        yield return $"a X {x30}{x30}\r";
        yield return "a X {99999999999+}\r\nb NOOP\r\n";
        yield return $"a X {x30}{x30} {{99999999999+}}\r\nb NOOP\r\n";
        yield return "a X ((((((((((a))))))))))\r\nb X (((((((((((((a)))))))))))))\r\nc NOOP\r\n";
        yield return "a X " + string.Concat(Enumerable.Repeat("a ", 17)) + "\r\nb NOOP\r\n";
    }

    private static readonly ProtocolLimits Small = new()
    {
        MaxLineLength = 40,
        MaxLiteralSize = 16,
        MaxAppendSize = 64,
        MaxNestingDepth = 12,
        MaxArguments = 16,
    };

    [Test]
    public async Task RandomSplitsGiveTheSameResults([Values] bool smallLimits)
    {
        var random = TestContext.CurrentContext.Random;
        var limits = smallLimits ? Small : new ProtocolLimits();
        var corpus = Corpus().ToList();
        // All inputs back to back, as one pipelined stream, too.
        corpus.Add(string.Concat(corpus.Where(s => !s.Contains("+}\r\nb NOOP") && s.EndsWith('\n'))));
        foreach (string text in corpus)
        {
            byte[] input = Latin1(text);
            var whole = await RunAsync(input, limits: limits);
            for (int i = 0; i < SplitsPerInput; i++)
            {
                var chunks = RandomChunks(random, input.Length);
                var split = await RunAsync(input, chunks, limits);
                Assert.That(split, Is.EqualTo(whole), $"input {Quote(input)} split as [{string.Join(",", chunks)}]");
            }
        }
    }

    [Test]
    public async Task OneByteReadsGiveTheSameResults()
    {
        foreach (string text in Corpus())
        {
            byte[] input = Latin1(text);
            var whole = await RunAsync(input, limits: Small);
            var split = await RunAsync(input, Enumerable.Repeat(1, input.Length), Small);
            Assert.That(split, Is.EqualTo(whole), Quote(input));
        }
    }

    [Test]
    public async Task SmallLimitsBehaveAsExpected()
    {
        // A sanity check that the corpus above reaches the limit paths it is meant to.
        string x30 = new('x', 30);
        Assert.That(await RunAsync(Latin1($"a X {x30}{x30} {{5+}}\r\nhel{x30}{x30}lo {{2+}}\r\nab\r\nb NOOP\r\n"), limits: Small),
            Is.EqualTo(new[] { "BAD a Command line too long", "b NOOP", "EOF" }));
        Assert.That(await RunAsync(Latin1($"a X {{5+}}\r\n12345 {x30}{x30} {{3+}}\r\nabc\r\nb NOOP\r\n"), limits: Small),
            Is.EqualTo(new[] { "BAD a Command line too long", "b NOOP", "EOF" }));
        Assert.That(await RunAsync(Latin1($"{x30}{x30}{x30}\nb NOOP\n"), limits: Small),
            Is.EqualTo(new[] { "BAD * Command line too long", "b NOOP", "EOF" }));
        Assert.That(await RunAsync(Latin1("a X " + string.Concat(Enumerable.Repeat("a ", 17)) + "\r\nb NOOP\r\n"), limits: Small),
            Is.EqualTo(new[] { "BAD a Too many arguments", "b NOOP", "EOF" }));
        Assert.That(await RunAsync(Latin1("a X ((((((((((a))))))))))\r\nb X (((((((((((((a)))))))))))))\r\nc NOOP\r\n"), limits: Small),
            Is.EqualTo(new[] { "a X ((((((((((a))))))))))", "BAD b Too deeply nested", "c NOOP", "EOF" }));
    }
}
