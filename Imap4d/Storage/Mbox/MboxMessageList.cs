using System.Collections;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// An mbox's view as <see cref="IMailbox.Messages"/>: a fixed snapshot of index records, each
/// made into a <see cref="MessageInfo"/> only when asked for, so a selected mailbox holds one
/// compact block (the index file's own bytes when it was read from there) and no object per message.
/// </summary>
internal sealed class MboxMessageList : IReadOnlyList<MessageInfo>, IUidIndexedList
{
    public MboxMessageList(MboxSnapshot snapshot)
    {
        Snapshot = snapshot;
    }

    public static MboxMessageList Empty { get; } = new(MboxSnapshot.Empty);

    public MboxSnapshot Snapshot { get; }

    public int Count => Snapshot.Count;

    public MessageInfo this[int index] => Record(index).ToInfo();

    public MboxRecord Record(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Snapshot.Count, nameof(index));
        return Snapshot[index];
    }

    public uint UidAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Snapshot.Count, nameof(index));
        return Snapshot.UidAt(index); // the field alone, not a whole record
    }

    public void CopyUidsTo(List<uint> into)
    {
        var snapshot = Snapshot;
        into.EnsureCapacity(into.Count + snapshot.Count);
        for (int i = 0; i < snapshot.Count; i++)
        {
            into.Add(snapshot.UidAt(i));
        }
    }

    public ulong ModSeqAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Snapshot.Count, nameof(index));
        return Snapshot.ModSeqAt(index); // the field alone, not a whole record
    }

    public int FirstUnseen()
    {
        var snapshot = Snapshot;
        for (int i = 0; i < snapshot.Count; i++)
        {
            if ((snapshot.SystemFlagsAt(i) & MessageFlags.Seen) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexOfUid(uint uid) => Snapshot.IndexOfUid(uid);

    public IEnumerator<MessageInfo> GetEnumerator()
    {
        for (int i = 0; i < Snapshot.Count; i++)
        {
            yield return Snapshot[i].ToInfo();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
