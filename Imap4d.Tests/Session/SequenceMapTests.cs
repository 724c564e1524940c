using System.Collections;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Tests.Session;

/// <summary>
/// The client's sequence numbers (SequenceMap): the mailbox's fixed view itself until the first
/// change, then a list of its own; either way the same answers as a plain list of the UIDs.
/// </summary>
public class SequenceMapTests
{
    /// <summary>A driver's fixed view that counts how often its UIDs are read.</summary>
    private sealed class FixedView(uint[] uids) : IReadOnlyList<MessageInfo>, IUidIndexedList
    {
        public int UidReads { get; private set; }

        public int Count => uids.Length;

        public MessageInfo this[int index] => new(uids[index], FlagSet.Empty, DateTimeOffset.UnixEpoch, 1);

        public int IndexOfUid(uint uid) => Array.BinarySearch(uids, uid) is int at and >= 0 ? at : -1;

        public uint UidAt(int index)
        {
            UidReads++;
            return uids[index];
        }

        public void CopyUidsTo(List<uint> into)
        {
            UidReads += uids.Length;
            into.AddRange(uids);
        }

        public int FirstUnseen() => uids.Length > 0 ? 0 : -1;

        public ulong ModSeqAt(int index) => 1;

        public IEnumerator<MessageInfo> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Test]
    public void AFixedViewIsNotCopiedAtSelect()
    {
        var uids = Enumerable.Range(1, 100_000).Select(i => (uint)(i * 3)).ToArray();
        var view = new FixedView(uids);
        var map = new SequenceMap(view);
        Assert.That(map.Count, Is.EqualTo(100_000));
        Assert.That(map[0], Is.EqualTo(3u));
        Assert.That(map[^1], Is.EqualTo(300_000u));
        Assert.That(map.BinarySearch(300), Is.EqualTo(99));
        Assert.That(view.UidReads, Is.LessThan(100), "a few lookups, no copy");
    }

    [Test]
    public void AnswersAsAListDoesBeforeAndAfterChanges()
    {
        var uids = new uint[] { 2, 3, 5, 8, 13, 21 };
        var view = new FixedView(uids);
        var map = new SequenceMap(view);
        var list = uids.ToList();
        foreach (uint probe in Enumerable.Range(0, 25).Select(i => (uint)i))
        {
            Assert.That(map.BinarySearch(probe), Is.EqualTo(list.BinarySearch(probe)), $"UID {probe}");
        }

        map.RemoveAt(2);
        list.RemoveAt(2);
        map.Add(34);
        list.Add(34);
        map.RemoveAll(uid => uid == 13);
        list.RemoveAll(uid => uid == 13);
        Assert.That(map, Is.EqualTo(list));
        Assert.That(map.Count, Is.EqualTo(list.Count));
        foreach (uint probe in Enumerable.Range(0, 40).Select(i => (uint)i))
        {
            Assert.That(map.BinarySearch(probe), Is.EqualTo(list.BinarySearch(probe)), $"UID {probe} after changes");
        }

        Assert.That(uids, Is.EqualTo(new uint[] { 2, 3, 5, 8, 13, 21 }), "the driver's view is never changed");
    }

    [Test]
    public void ANewerViewOfTheMailboxEndsTheSharing()
    {
        var view = new FixedView([1, 2, 3]);
        var map = new SequenceMap(view);
        map.LetGoOf(view);
        Assert.That(view.UidReads, Is.Zero, "still the mailbox's view");
        map.LetGoOf(new FixedView([1, 2, 3, 4]));
        int copied = view.UidReads;
        Assert.That(copied, Is.EqualTo(3), "copied once");
        Assert.That(map, Is.EqualTo(new uint[] { 1, 2, 3 }), "the client's numbers stay until it is told");
        Assert.That(view.UidReads, Is.EqualTo(copied), "the old view is no longer read");
    }

    [Test]
    public void AnyOtherListIsCopied()
    {
        var messages = new List<MessageInfo> { new(4, FlagSet.Empty, DateTimeOffset.UnixEpoch, 1), new(9, FlagSet.Empty, DateTimeOffset.UnixEpoch, 1) };
        var map = new SequenceMap(messages);
        messages.Clear();
        Assert.That(map, Is.EqualTo(new uint[] { 4, 9 }));
    }
}
