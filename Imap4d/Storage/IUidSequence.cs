namespace Imap4d.Storage;

/// <summary>Messages in ascending UID order, whose UIDs can be read by position.</summary>
public interface IUidSequence
{
    /// <summary>The UID at <paramref name="index"/>.</summary>
    uint UidAt(int index);
}

/// <summary>Lookups shared by every <see cref="IUidSequence"/>.</summary>
public static class UidSequence
{
    /// <summary>The position of <paramref name="uid"/> among the first <paramref name="count"/> of <paramref name="messages"/>, or -1 (binary search).</summary>
    public static int IndexOf<T>(T messages, int count, uint uid)
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

        return -1;
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
