using System.Collections;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// An mbox's view as <see cref="IMailbox.Messages"/>: a fixed snapshot of index records, each
/// made into a <see cref="MessageInfo"/> only when asked for, so a selected mailbox holds one
/// compact array and no object per message.
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
        return Snapshot.Records[index];
    }

    public uint UidAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Snapshot.Count, nameof(index));
        return Snapshot.Records[index].Uid; // the field alone, not a copy of the record
    }

    public void CopyUidsTo(List<uint> into)
    {
        var records = Snapshot.Records;
        for (int i = 0; i < Snapshot.Count; i++)
        {
            into.Add(records[i].Uid);
        }
    }

    public ulong ModSeqAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Snapshot.Count, nameof(index));
        return Snapshot.Records[index].ModSeq; // the field alone, not a copy of the record
    }

    public int FirstUnseen()
    {
        var records = Snapshot.Records;
        for (int i = 0; i < Snapshot.Count; i++)
        {
            if ((records[i].Flags.System & MessageFlags.Seen) == 0)
            {
                return i;
            }
        }

        return -1;
    }

    public int IndexOfUid(uint uid) => MboxSnapshot.IndexOfUid(Snapshot.Records, Snapshot.Count, uid);

    public IEnumerator<MessageInfo> GetEnumerator()
    {
        for (int i = 0; i < Snapshot.Count; i++)
        {
            yield return Snapshot.Records[i].ToInfo();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
