namespace Imap4d.Storage;

/// <summary>Messages in ascending UID order, whose UIDs can be read by position.</summary>
public interface IUidSequence
{
    /// <summary>The UID at <paramref name="index"/>.</summary>
    uint UidAt(int index);
}

/// <summary>The UIDs of a plain list of messages (ascending), read by position without a copy.</summary>
public readonly struct MessageUids(IReadOnlyList<MessageInfo> messages) : IUidSequence
{
    public uint UidAt(int index) => messages[index].Uid;
}

/// <summary>Lookups shared by every <see cref="IUidSequence"/>.</summary>
public static class UidSequence
{
    /// <summary>The position of <paramref name="uid"/> among the first <paramref name="count"/> of <paramref name="messages"/>, or -1 (binary search).</summary>
    public static int IndexOf<T>(T messages, int count, uint uid)
        where T : IUidSequence
    {
        int at = BinarySearch(messages, count, uid);
        return at < 0 ? -1 : at;
    }

    /// <summary>
    /// As <see cref="IndexOf{T}(T, int, uint)"/> for UIDs asked in ascending order: the position
    /// after the last one found (<paramref name="hint"/>) is tried before a search, so a pass over
    /// a range does no binary search per message. The hint moves past every UID found.
    /// </summary>
    public static int IndexOf<T>(T messages, int count, uint uid, ref int hint)
        where T : IUidSequence
    {
        int at = (uint)hint < (uint)count && messages.UidAt(hint) == uid ? hint : IndexOf(messages, count, uid);
        if (at >= 0)
        {
            hint = at + 1;
        }

        return at;
    }

    /// <summary>As <see cref="List{T}.BinarySearch(T)"/>: the position of <paramref name="uid"/> among the first <paramref name="count"/>, or the complement of where it would go.</summary>
    public static int BinarySearch<T>(T messages, int count, uint uid)
        where T : IUidSequence
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            uint at = messages.UidAt(mid);
            if (at == uid)
            {
                return mid;
            }

            if (at < uid)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    /// <summary>True when every UID is greater than the one before (a set already in order needs no sort).</summary>
    public static bool IsStrictlyAscending(IReadOnlyList<uint> uids)
    {
        for (int i = 1; i < uids.Count; i++)
        {
            if (uids[i] <= uids[i - 1])
            {
                return false;
            }
        }

        return true;
    }
}
