using System.Buffers.Binary;
using Imap4d.Storage;
using Imap4d.Storage.Index;
using Imap4d.Storage.Mbox;
using Mono.Unix;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// RFC 8514 save dates on mbox: kept in the index record. Our APPEND and COPY store the moment
/// they wrote the message; mail another program delivered gets its From line's date (when it was
/// delivered). They survive flag changes, rewrites (EXPUNGE), other sessions and processes; only
/// the loss of the index falls back to the From line date.
/// </summary>
[TestFixture]
public class MboxSaveDateTests
{
    private static readonly DateTimeOffset InternalDate = new(2024, 3, 5, 10, 20, 30, TimeSpan.Zero);
    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private string NewMailbox(string name = "box")
    {
        string path = _fixture.NewPath(name);
        _fixture.Driver.Create(path, (UnixFileMode)0x180);
        return path;
    }

    private IMailbox Open(string path, bool readOnly = false) => _fixture.Driver.Open(path, Path.GetFileName(path), readOnly);

    [Test]
    public void AnAppendedMessageKeepsTheMomentItWasStored()
    {
        string path = NewMailbox();
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        using (var box = Open(path))
        {
            MboxTestSupport.Append(box, "one");
            MboxTestSupport.Append(box, "two");
            box.Sync();
            Assert.That(box.SupportsSaveDate, Is.True);
            Assert.That(box.SaveDate(1), Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(2)));
            Assert.That(box.Messages[0].InternalDate, Is.EqualTo(InternalDate));
        }

        DateTimeOffset first;
        using (var box = Open(path))
        {
            first = box.SaveDate(1) ?? throw new AssertionException("no save date from the index");
            Assert.That(first, Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(2)));
            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
            Assert.That(box.Expunge(), Is.EqualTo(new uint[] { 2 }));
        }

        RecordsCache.Clear(); // read from the file, as another process does
        using (var box = Open(path, readOnly: true))
        {
            Assert.That(((MboxMailbox)box).State.LastRefresh, Is.EqualTo("index"));
            Assert.That(box.SaveDate(1), Is.EqualTo(first), "after a flag change, a rewrite and from the file");
            Assert.That(box.SaveDate(2), Is.Null, "expunged");
        }
    }

    [Test]
    public void MailDeliveredByAnotherProgramIsSavedAtItsFromLineDate()
    {
        string path = NewMailbox();
        using (var box = Open(path))
        {
            MboxTestSupport.Append(box, "ours");
        }

        // An MDA (or mutt saving into the folder) appends behind our back.
        File.AppendAllText(path, "From mda@example.org Fri Apr  5 12:00:00 2024\nSubject: delivered\n\nnew\n\n");
        using (var box = Open(path))
        {
            Assert.That(((MboxMailbox)box).State.LastRefresh, Is.EqualTo("tail"));
            Assert.That(box.SaveDate(2), Is.EqualTo(new DateTimeOffset(2024, 4, 5, 12, 0, 0, TimeSpan.Zero)));
            Assert.That(box.SaveDate(1)!.Value, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1)), "ours unchanged");
        }

        // The index is lost: what the file says is all there is.
        File.Delete(MboxTestSupport.IndexPath(_fixture, path));
        using (var box = Open(path))
        {
            Assert.That(((MboxMailbox)box).State.LastRefresh, Is.EqualTo("full"));
            Assert.That(box.SaveDate(1), Is.EqualTo(InternalDate), "our From line carries the internal date");
            Assert.That(box.SaveDate(2), Is.EqualTo(new DateTimeOffset(2024, 4, 5, 12, 0, 0, TimeSpan.Zero)));
        }
    }

    [Test]
    public void ACopyIsSavedWhenCopiedNotWhenTheOriginalWas()
    {
        string source = NewMailbox("source");
        string target = NewMailbox("target");
        File.AppendAllText(source, "From mda@example.org Fri Apr  5 12:00:00 2024\nSubject: delivered\n\nnew\n\n");
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        using (var from = Open(source))
        using (var to = Open(target))
        {
            Assert.That(from.SaveDate(1), Is.EqualTo(new DateTimeOffset(2024, 4, 5, 12, 0, 0, TimeSpan.Zero)));
            from.CopyTo([1], to);
        }

        using var copy = Open(target, readOnly: true);
        Assert.That(copy.SaveDate(1), Is.InRange(before, DateTimeOffset.UtcNow.AddSeconds(2)));
        Assert.That(copy.Messages[0].InternalDate, Is.EqualTo(new DateTimeOffset(2024, 4, 5, 12, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public void AnIndexOfTheFormerVersionIsRebuiltNotMisread()
    {
        string path = NewMailbox();
        ulong highest;
        uint uidNext;
        using (var box = Open(path))
        {
            MboxTestSupport.Append(box, "one");
            MboxTestSupport.Append(box, "two", FlagSet.Of(MessageFlags.Answered));
            box.Sync();
            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
            highest = box.HighestModSeq;
            uidNext = box.UidNext;
        }

        // A well-formed header of version 1 (records without save dates, absolute offsets).
        string index = MboxTestSupport.IndexPath(_fixture, path);
        var bytes = File.ReadAllBytes(index);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(MboxIndexFile.HeaderSize - 4), Checksum.Of(bytes.AsSpan(0, MboxIndexFile.HeaderSize - 4)));
        File.WriteAllBytes(index, bytes);
        RecordsCache.Clear();

        using var again = Open(path);
        Assert.That(((MboxMailbox)again).State.LastRefresh, Is.EqualTo("full"), "the mbox was read again");
        Assert.That(again.Messages.Select(m => (m.Uid, m.Flags.Has(MessageFlags.Answered), m.Flags.Has(MessageFlags.Flagged))),
            Is.EqualTo(new[] { (1u, false, true), (2u, true, false) }), "flags written back at close survive");
        Assert.That(again.HighestModSeq, Is.GreaterThanOrEqualTo(highest), "MODSEQs never go backwards");
        Assert.That(again.Messages.Min(m => m.ModSeq), Is.GreaterThan(highest), "every message gets a MODSEQ above any handed out before");
        Assert.That(MboxTestSupport.Append(again, "three"), Is.GreaterThanOrEqualTo(uidNext), "UIDs are not reused");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(index).AsSpan(8)), Is.EqualTo(2), "written anew in the current version");
    }
}
