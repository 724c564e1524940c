namespace Imap4d.Storage;

/// <summary>
/// A message list that finds a UID without building a <see cref="MessageInfo"/> per step of the
/// search (a driver's list that makes its entries on demand, from a compact array). Fixed once
/// made: a new view is a new list (the session's sequence map refers to it without a copy).
/// </summary>
public interface IUidIndexedList : IUidSequence
{
    /// <summary>The position of <paramref name="uid"/>, or -1.</summary>
    int IndexOfUid(uint uid);

    /// <summary>Adds every UID, in order, to <paramref name="into"/>.</summary>
    void CopyUidsTo(List<uint> into);

    /// <summary>The position of the first message without \Seen, or -1 (SELECT's [UNSEEN n]).</summary>
    int FirstUnseen();

    /// <summary>The MODSEQ of the message at <paramref name="index"/> (QRESYNC looks for changed ones).</summary>
    ulong ModSeqAt(int index);
}
