using Imap4d.Storage;

namespace Imap4d.Tests.Storage;

/// <summary>Flag arithmetic of STORE: system flags and case-insensitive keywords, with and without keywords on either side.</summary>
[TestFixture]
public class FlagSetTests
{
    [Test]
    public void AddingIgnoresCaseAndNeedsNoKeywordsOnEitherSide()
    {
        var some = FlagSet.Of(MessageFlags.Seen, "Alpha");
        Assert.That(some.Add(FlagSet.Of(MessageFlags.Flagged)), Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Flagged, "Alpha")));
        Assert.That(FlagSet.Of(MessageFlags.Flagged).Add(some).Keywords, Is.EqualTo(new[] { "Alpha" }), "the spelling of the one side with keywords");
        Assert.That(some.Add(FlagSet.Of(MessageFlags.None, "ALPHA", "Beta")), Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "alpha", "beta")));
        Assert.That(FlagSet.Empty.Add(FlagSet.Empty), Is.EqualTo(FlagSet.Empty));
    }

    [Test]
    public void RemovingIgnoresCaseAndNeedsNoKeywordsOnEitherSide()
    {
        var some = FlagSet.Of(MessageFlags.Seen | MessageFlags.Draft, "Alpha", "Beta");
        Assert.That(some.Remove(FlagSet.Of(MessageFlags.Seen)), Is.EqualTo(FlagSet.Of(MessageFlags.Draft, "Alpha", "Beta")));
        Assert.That(some.Remove(FlagSet.Of(MessageFlags.None, "beta")).Keywords, Is.EqualTo(new[] { "Alpha" }));
        Assert.That(FlagSet.Of(MessageFlags.Seen).Remove(some), Is.EqualTo(FlagSet.Empty));
    }

    [Test]
    public void EqualityComparesSystemFlagsAndKeywordsIgnoringCase()
    {
        Assert.That(FlagSet.Of(MessageFlags.Seen), Is.EqualTo(FlagSet.Of(MessageFlags.Seen)));
        Assert.That(FlagSet.Of(MessageFlags.Seen), Is.Not.EqualTo(FlagSet.Of(MessageFlags.Answered)));
        Assert.That(FlagSet.Of(MessageFlags.Seen, "a"), Is.EqualTo(FlagSet.Of(MessageFlags.Seen, "A")));
        Assert.That(FlagSet.Of(MessageFlags.Seen, "a"), Is.Not.EqualTo(FlagSet.Of(MessageFlags.Seen, "b")));
        Assert.That(FlagSet.Of(MessageFlags.Seen, "a"), Is.Not.EqualTo(FlagSet.Of(MessageFlags.Seen)));
        Assert.That(default(FlagSet), Is.EqualTo(FlagSet.Empty));
    }

    [Test]
    public void SystemNamesOfEveryCombinationAreToImapNamesWithoutKeywords()
    {
        for (int bits = 0; bits < 32; bits++)
        {
            var flags = FlagSet.Of((MessageFlags)bits, "$Label1", "Junk");
            Assert.That(FlagSet.SystemNames(flags.System).Concat(flags.Keywords), Is.EqualTo(flags.ToImapNames()), $"bits {bits}");
        }
    }
}
