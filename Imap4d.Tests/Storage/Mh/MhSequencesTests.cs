using Imap4d.Storage.Mh;

namespace Imap4d.Tests.Storage.Mh;

public class MhSequencesTests
{
    [TestCase("unseen: 1-3 7 9-12\n", "unseen", new[] { 1, 2, 3, 7, 9, 10, 11, 12 })]
    [TestCase("unseen:1-3\t7   9-12\n", "unseen", new[] { 1, 2, 3, 7, 9, 10, 11, 12 })]
    [TestCase("cur: 4\nunseen: 5\n", "unseen", new[] { 5 })]
    [TestCase("unseen: 1 2\n 3-4\n\t6\n", "unseen", new[] { 1, 2, 3, 4, 6 })]
    [TestCase("unseen: 1 x 0 -3 5-2 8\n", "unseen", new[] { 1, 8 })]
    [TestCase("unseen:\n", "unseen", new int[0])]
    [TestCase("", "unseen", new int[0])]
    [TestCase("unseen: 3\r\n", "unseen", new[] { 3 })]
    public void ParsesRangesAndWhitespace(string text, string name, int[] expected) =>
        Assert.That(MhSequences.Parse(text).Get(name), Is.EquivalentTo(expected));

    [TestCase(new[] { 1, 2, 3, 7, 9, 10, 11, 12 }, "1-3 7 9-12")]
    [TestCase(new[] { 5 }, "5")]
    [TestCase(new[] { 3, 1, 2 }, "1-3")]
    [TestCase(new int[0], "")]
    public void FormatsRanges(int[] numbers, string expected) =>
        Assert.That(MhSequences.FormatRanges(numbers), Is.EqualTo(expected));

    [Test]
    public void UntouchedLinesAreKeptExactly()
    {
        const string text = "cur: 4\nunseen:1  2   5\nmine: 1-2\n  3\ngarbage line\nflagged: 9\n";
        var sequences = MhSequences.Parse(text);
        Assert.That(sequences.Format(), Is.EqualTo(text));
        sequences.Set("flagged", 10, true);
        Assert.That(sequences.Format(), Is.EqualTo("cur: 4\nunseen:1  2   5\nmine: 1-2\n  3\ngarbage line\nflagged: 9-10\n"));
    }

    [Test]
    public void EmptiedSequencesAreRemovedAndNewOnesAppended()
    {
        var sequences = MhSequences.Parse("cur: 2\nflagged: 3\nunseen: 1-4\n");
        sequences.Set("flagged", 3, false);
        sequences.Set("todo", 2, true);
        sequences.RemoveEverywhere([2], "cur");
        sequences.Set("todo", 4, true);
        Assert.That(sequences.Format(), Is.EqualTo("cur: 2\nunseen: 1 3-4\ntodo: 4\n"));
    }

    [TestCase("unseen", true)]
    [TestCase("Foo9", true)]
    [TestCase("foo_bar", false)]
    [TestCase("9lives", false)]
    [TestCase("$Label1", false)]
    [TestCase("", false)]
    public void NamesAreAlphanumericAsNmhWants(string name, bool valid) =>
        Assert.That(MhSequences.IsValidName(name), Is.EqualTo(valid));
}
