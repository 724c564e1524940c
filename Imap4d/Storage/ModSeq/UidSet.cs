using System.Globalization;
using System.Text;

namespace Imap4d.Storage.ModSeq;

/// <summary>
/// A set of UIDs kept as sorted, disjoint, non-adjacent ranges (expunged UIDs come in runs, so a
/// month of expunges is a few ranges). Written as an IMAP sequence-set: <c>1:3,7,9:12</c>.
/// </summary>
public sealed class UidSet
{
    private readonly List<(uint First, uint Last)> _ranges = [];

    public IReadOnlyList<(uint First, uint Last)> Ranges => _ranges;

    public bool IsEmpty => _ranges.Count == 0;

    public static UidSet Of(IEnumerable<uint> uids)
    {
        var set = new UidSet();
        foreach (uint uid in uids.Order())
        {
            set.Add(uid, uid);
        }

        return set;
    }

    /// <summary>Adds <paramref name="first"/>..<paramref name="last"/> (inclusive), merging with neighbours.</summary>
    public void Add(uint first, uint last)
    {
        if (first > last)
        {
            (first, last) = (last, first);
        }

        // Fast path: ascending additions (the usual case) extend or follow the last range.
        if (_ranges.Count == 0 || first > (ulong)_ranges[^1].Last + 1)
        {
            _ranges.Add((first, last));
            return;
        }

        if (first >= _ranges[^1].First)
        {
            _ranges[^1] = (_ranges[^1].First, Math.Max(_ranges[^1].Last, last));
            return;
        }

        // General case: take out every range that overlaps or touches, put back their union.
        var merged = (First: first, Last: last);
        int at = 0;
        while (at < _ranges.Count && (ulong)_ranges[at].Last + 1 < merged.First)
        {
            at++;
        }

        while (at < _ranges.Count && _ranges[at].First <= (ulong)merged.Last + 1)
        {
            merged = (Math.Min(merged.First, _ranges[at].First), Math.Max(merged.Last, _ranges[at].Last));
            _ranges.RemoveAt(at);
        }

        _ranges.Insert(at, merged);
    }

    public void UnionWith(UidSet other)
    {
        foreach (var (first, last) in other._ranges)
        {
            Add(first, last);
        }
    }

    public bool Contains(uint uid)
    {
        int lo = 0, hi = _ranges.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (uid < _ranges[mid].First)
            {
                hi = mid - 1;
            }
            else if (uid > _ranges[mid].Last)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The UIDs of this set that also lie in <paramref name="within"/>.</summary>
    public UidSet Intersect(UidSet within)
    {
        var result = new UidSet();
        int i = 0, j = 0;
        while (i < _ranges.Count && j < within._ranges.Count)
        {
            uint first = Math.Max(_ranges[i].First, within._ranges[j].First);
            uint last = Math.Min(_ranges[i].Last, within._ranges[j].Last);
            if (first <= last)
            {
                result.Add(first, last);
            }

            if (_ranges[i].Last < within._ranges[j].Last)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result;
    }

    /// <summary>Every UID from 1 to <paramref name="max"/> that is not in <paramref name="present"/> (ascending).</summary>
    public static UidSet Absent(IReadOnlyList<uint> present, uint max)
    {
        var set = new UidSet();
        uint next = 1;
        foreach (uint uid in present)
        {
            if (uid > max)
            {
                break;
            }

            if (uid > next)
            {
                set.Add(next, uid - 1);
            }

            next = uid + 1;
        }

        if (max >= next && max > 0)
        {
            set.Add(next, max);
        }

        return set;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (first, last) in _ranges)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(first.ToString(CultureInfo.InvariantCulture));
            if (last != first)
            {
                text.Append(':').Append(last.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>Parses what <see cref="ToString"/> wrote; false for anything else.</summary>
    public static bool TryParse(string text, out UidSet set)
    {
        set = new UidSet();
        if (text.Length == 0)
        {
            return true;
        }

        foreach (string part in text.Split(','))
        {
            int colon = part.IndexOf(':');
            string a = colon < 0 ? part : part[..colon];
            string b = colon < 0 ? part : part[(colon + 1)..];
            if (!uint.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out uint first)
                || !uint.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out uint last) || first == 0)
            {
                return false;
            }

            set.Add(first, last);
        }

        return true;
    }
}
