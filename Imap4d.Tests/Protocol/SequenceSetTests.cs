using Imap4d.Protocol;

namespace Imap4d.Tests.Protocol;

[TestFixture]
public class SequenceSetTests
{
    private const uint Star = SequenceSet.Star;

    private static SequenceSet Parse(string text)
    {
        Assert.That(SequenceSet.TryParse(text, out var set), Is.True, text);
        return set;
    }

    [TestCase("1", "1")]
    [TestCase("*", "*")]
    [TestCase("1:*", "1:*")]
    [TestCase("*:1", "*:1")]
    [TestCase("5:3", "5:3")]
    [TestCase("3:3", "3")]
    [TestCase("1,3:5,7:*,*", "1,3:5,7:*,*")]
    [TestCase("4294967294", "4294967294")]
    [TestCase("1:4294967295", "1:4294967295")]
    [TestCase("2,1,2", "2,1,2")]
    [TestCase("4294967296", "*")] // past 32 bits: the last message, as GNU imap4d answers it (issue 11)
    [TestCase("1:99999999999999999999", "1:*")]
    public void ParsesAndFormats(string text, string formatted)
    {
        Assert.That(Parse(text).ToString(), Is.EqualTo(formatted));
    }

    [TestCase("")]
    [TestCase("0")]
    [TestCase("01")]
    [TestCase("1:0")]
    [TestCase("0:*")]
    [TestCase("1:")]
    [TestCase(":1")]
    [TestCase(":")]
    [TestCase(",")]
    [TestCase("1,")]
    [TestCase(",1")]
    [TestCase("1,,2")]
    [TestCase("1:2:3")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("1.5")]
    [TestCase("a")]
    [TestCase("**")]
    [TestCase("*:")]
    [TestCase("\u0661")] // ARABIC-INDIC DIGIT ONE
    [TestCase("\uff11")] // FULLWIDTH DIGIT ONE
    public void RejectsMalformedSets(string text)
    {
        Assert.That(SequenceSet.TryParse(text, out _), Is.False);
    }

    [Test]
    public void RandomSetsRoundTripThroughText()
    {
        var random = TestContext.CurrentContext.Random;
        for (int i = 0; i < 2000; i++)
        {
            var parts = new List<string>();
            int n = random.Next(1, 6);
            for (int j = 0; j < n; j++)
            {
                string a = RandomNumber(random);
                string b = RandomNumber(random);
                parts.Add(random.Next(2) == 0 || a == b ? a : a + ":" + b);
            }

            string text = string.Join(",", parts);
            Assert.That(Parse(text).ToString(), Is.EqualTo(text));
        }
    }

    private static string RandomNumber(Random random) => random.Next(6) switch
    {
        0 => "*",
        1 => "4294967294",
        2 => random.NextInt64(1, uint.MaxValue + 1L).ToString(),
        _ => random.Next(1, 40).ToString(),
    };

    [Test]
    public void EnumerateAndContainsMatchABruteForceModel()
    {
        var random = TestContext.CurrentContext.Random;
        for (int i = 0; i < 2000; i++)
        {
            var ranges = new List<(uint, uint)>();
            int n = random.Next(1, 5);
            for (int j = 0; j < n; j++)
            {
                uint a = random.Next(8) == 0 ? Star : (uint)random.Next(1, 50);
                uint b = random.Next(3) == 0 ? a : random.Next(8) == 0 ? Star : (uint)random.Next(1, 50);
                ranges.Add((a, b));
            }

            string text = string.Join(",", ranges.Select(r => Format(r.Item1) + (r.Item1 == r.Item2 ? "" : ":" + Format(r.Item2))));
            var set = Parse(text);
            uint max = (uint)random.Next(0, 60);
            var model = new List<uint>();
            for (uint m = 1; m <= max; m++)
            {
                if (ranges.Any(r => Between(m, Resolve(r.Item1, max), Resolve(r.Item2, max))))
                {
                    model.Add(m);
                }
            }

            Assert.That(set.Enumerate(max), Is.EqualTo(model), $"{text} with max {max}");
            for (uint m = 1; m <= max; m++)
            {
                Assert.That(set.Contains(m, max), Is.EqualTo(model.Contains(m)), $"{m} in {text} with max {max}");
            }

            Assert.That(set.UsesStar, Is.EqualTo(text.Contains('*')));
        }
    }

    private static string Format(uint n) => n == Star ? "*" : n.ToString();

    private static uint Resolve(uint n, uint max) => n == Star ? max : n;

    private static bool Between(uint n, uint a, uint b) => n >= Math.Min(a, b) && n <= Math.Max(a, b);

    [Test]
    public void StarAndReversedRanges()
    {
        Assert.That(Parse("5:3").Enumerate(10), Is.EqualTo(new uint[] { 3, 4, 5 }));
        Assert.That(Parse("*:3").Enumerate(5), Is.EqualTo(new uint[] { 3, 4, 5 }));
        Assert.That(Parse("3:*").Enumerate(5), Is.EqualTo(new uint[] { 3, 4, 5 }));
        // "*" is the largest number in use even when the other end is beyond it.
        Assert.That(Parse("7:*").Enumerate(5), Is.EqualTo(new uint[] { 5 }));
        Assert.That(Parse("*").Enumerate(5), Is.EqualTo(new uint[] { 5 }));
        Assert.That(Parse("*").Enumerate(0), Is.Empty);
        Assert.That(Parse("1:*").Enumerate(0), Is.Empty);
        Assert.That(Parse("9").Enumerate(5), Is.Empty);
        Assert.That(Parse("5:9,1,3,2:4").Enumerate(6), Is.EqualTo(new uint[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(Parse("*").Contains(5, 5), Is.True);
        Assert.That(Parse("*").Contains(4, 5), Is.False);
        // "7:*" with 5 as the largest number is 5:7 (RFC 3501 §9 seq-range).
        Assert.That(Parse("7:*").Contains(6, 5), Is.True);
        Assert.That(Parse("7:*").Contains(5, 5), Is.True);
    }

    [Test]
    public void HugeRangesAreClipped()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(Parse("1:4294967294").Enumerate(10), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (uint)i)));
        Assert.That(Parse("4294967294:1,2:4294967294,1:*").Enumerate(10).Count(), Is.EqualTo(10));
        Assert.That(Parse("4294967294:4294967000").Enumerate(10), Is.Empty);
        Assert.That(Parse("4294967294").Enumerate(uint.MaxValue - 1), Is.EqualTo(new[] { uint.MaxValue - 1 }));
        Assert.That(Parse("1:4294967295").Enumerate(10), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (uint)i)));
        Assert.That(Parse("4294967295").Enumerate(uint.MaxValue), Is.EqualTo(new[] { uint.MaxValue }));
        Assert.That(Parse("4294967293:*").Enumerate(uint.MaxValue - 1), Is.EqualTo(new[] { uint.MaxValue - 2, uint.MaxValue - 1 }));
        Assert.That(Parse("1:4294967294").Contains(4294967294, 10), Is.True);
        Assert.That(watch.ElapsedMilliseconds, Is.LessThan(5000), "clipped, not enumerated four billion times");
    }

    [Test]
    public void FromNumbersMergesRuns()
    {
        Assert.That(SequenceSet.FromNumbers([7, 1, 3, 2, 3, 5]).ToString(), Is.EqualTo("1:3,5,7"));
        Assert.That(SequenceSet.FromNumbers([]).ToString(), Is.EqualTo(""));
        Assert.That(SequenceSet.FromNumbers([4294967294, 4294967293]).ToString(), Is.EqualTo("4294967293:4294967294"));
    }
}
