using Imap4d.Storage;
using Imap4d.Storage.Mbox;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// An index read from its file keeps the records in the file's form (<see cref="MboxRecordLayout"/>):
/// one read, no record made until asked for. What a session sees must be exactly what a parse of
/// the mbox gives, through flag changes, new keywords, appends and other sessions' writes in place.
/// </summary>
[TestFixture]
public class MboxEncodedRecordsTests
{
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp()
    {
        _fixture = new MboxDriverFixture();
        RecordsCache.Clear(); // every open reads the file, as a new session process does
    }

    [TearDown]
    public void TearDown()
    {
        RecordsCache.Clear();
        _fixture.Dispose();
    }

    private MboxMailbox Open(string path, bool readOnly = false) => (MboxMailbox)_fixture.Driver.Open(path, "box", readOnly);

    private static List<(uint Uid, string Flags, DateTimeOffset Date, long Size, ulong ModSeq, DateTimeOffset? Saved)> Seen(IMailbox box) =>
        box.Messages.Select(m => (m.Uid, string.Join(' ', m.Flags.ToImapNames()), m.InternalDate, m.Size, m.ModSeq, box.SaveDate(m.Uid))).ToList();

    private string NewMailbox(int count)
    {
        string path = _fixture.NewPath("box");
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        using var box = Open(path);
        for (int i = 1; i <= count; i++)
        {
            box.Append(new MemoryStream(MboxTestSupport.Message("m" + i)), i % 3 == 0 ? FlagSet.Of(MessageFlags.Seen, "Old") : FlagSet.Empty,
                new DateTimeOffset(2024, 3, i % 28 + 1, 10, 20, 30, TimeSpan.FromHours(i % 5 - 2)));
        }

        return path;
    }

    [Test]
    public void AReopenedMailboxShowsTheSameMessagesWithoutDecodingTheIndex()
    {
        string path = NewMailbox(9);
        List<(uint, string, DateTimeOffset, long, ulong, DateTimeOffset?)> before;
        using (var first = Open(path))
        {
            first.Store([2, 5], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "Later"));
            before = Seen(first);
        }

        using var again = Open(path, readOnly: true);
        Assert.That(again.State.LastRefresh, Is.EqualTo("index"));
        Assert.That(again.State.Index.IsEncoded, Is.True, "kept as read from the file");
        Assert.That(Seen(again), Is.EqualTo(before));
        Assert.That(again.Keywords, Is.EquivalentTo(new[] { "Old", "Later" }));
    }

    [Test]
    public void NewKeywordsAndAppendsAreWrittenFromTheFileFormAsTheyAre()
    {
        string path = NewMailbox(6);
        List<(uint, string, DateTimeOffset, long, ulong, DateTimeOffset?)> expected;
        using (var box = Open(path))
        {
            Assert.That(box.State.Index.IsEncoded, Is.True);
            // New names in an order other than the records' (first use at 4, then at 2).
            box.Store([4], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered, "Alpha"));
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.None, "Beta", "alpha"));
            box.Store([3], FlagOperation.Remove, FlagSet.Of(MessageFlags.Seen, "Old"));
            box.Append(new MemoryStream(MboxTestSupport.Message("seventh")), FlagSet.Of(MessageFlags.Draft, "Gamma"),
                new DateTimeOffset(2024, 4, 1, 8, 0, 0, TimeSpan.Zero));
            box.Sync();
            Assert.That(box.State.Index.IsEncoded, Is.True, "every change fitted the file form");
            expected = Seen(box);
        }

        Assert.That(expected.Single(m => m.Item1 == 2).Item2, Is.EqualTo("Alpha Beta"), "a keyword's first spelling is kept");
        Assert.That(expected.Single(m => m.Item1 == 3).Item2, Is.Empty);
        using var again = Open(path, readOnly: true);
        Assert.That(again.State.LastRefresh, Is.EqualTo("index"));
        Assert.That(Seen(again), Is.EqualTo(expected));
    }

    [Test]
    public void AViewStaysAsItWasWhileAnotherSessionRewritesItsRecordsInPlace()
    {
        string path = NewMailbox(5);
        using var reader = Open(path);
        var before = Seen(reader);
        using (var writer = Open(path))
        {
            writer.Store([1, 2, 3, 4, 5], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged, "Shared"));
        }

        Assert.That(Seen(reader), Is.EqualTo(before), "the view is the session's own copy until it syncs");
        var changes = reader.Sync();
        Assert.That(changes.FlagsChanged, Is.EqualTo(new uint[] { 1, 2, 3, 4, 5 }));
        Assert.That(reader.Messages.All(m => m.Flags.Has(MessageFlags.Flagged) && m.Flags.Keywords.Contains("Shared")), Is.True);
    }

    [Test]
    public void MoreKeywordsThanTheFileFormHoldsTurnTheIndexIntoRecords()
    {
        string path = NewMailbox(3);
        var many = Enumerable.Range(0, MboxRecordLayout.MaxKeywords + 2).Select(i => "k" + i).ToArray();
        using var box = Open(path);
        Assert.That(box.State.Index.IsEncoded, Is.True);
        box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.None, many));
        Assert.That(box.State.Index.IsEncoded, Is.False);
        Assert.That(box.Messages[0].Flags.Keywords, Is.EquivalentTo(many));
        Assert.That(box.Messages[2].Flags.Keywords, Is.EquivalentTo(new[] { "Old" }));
        MboxTestSupport.Append(box, "after");
        box.Sync();
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 2, 3, 4 }));
    }
}
