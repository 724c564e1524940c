using System.Globalization;
using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// An RFC 3501 sequence-set (<c>1,3:5,7:*</c>) of message sequence numbers or UIDs.
/// <c>*</c> is kept symbolic and resolved against the largest number in use.
/// </summary>
public sealed class SequenceSet
{
    /// <summary>The value that stands for "*" (0 is no valid nz-number, so 4294967295 stays a number).</summary>
    public const uint Star = 0;

    private readonly List<(uint First, uint Last)> _ranges;

    private SequenceSet(List<(uint First, uint Last)> ranges)
    {
        _ranges = ranges;
    }

    /// <summary>
    /// <c>$</c> (RFC 5182 SEARCHRES): the messages the last <c>SEARCH RETURN (SAVE)</c> found, which
    /// the selected mailbox resolves; as a set of numbers it is empty.
    /// </summary>
    public static SequenceSet SavedResult { get; } = new([]) { IsSavedResult = true };

    /// <summary>True for <see cref="SavedResult"/>.</summary>
    public bool IsSavedResult { get; private init; }

    /// <summary>Ranges as written (First may exceed Last; either may be <see cref="Star"/>).</summary>
    public IReadOnlyList<(uint First, uint Last)> Ranges => _ranges;

    public static bool TryParse(string text, out SequenceSet set)
    {
        set = null!;
        if (text == "$")
        {
            set = SavedResult;
            return true;
        }

        var ranges = new List<(uint, uint)>();
        foreach (string part in text.Split(','))
        {
            int colon = part.IndexOf(':');
            if (colon < 0)
            {
                if (!TryParseNumber(part, out uint n))
                {
                    return false;
                }

                ranges.Add((n, n));
            }
            else
            {
                if (!TryParseNumber(part[..colon], out uint a) || !TryParseNumber(part[(colon + 1)..], out uint b))
                {
                    return false;
                }

                ranges.Add((a, b));
            }
        }

        set = new SequenceSet(ranges);
        return true;
    }

    /// <summary>Builds a set from sorted or unsorted numbers, merging runs (for COPYUID and the like).</summary>
    public static SequenceSet FromNumbers(IEnumerable<uint> numbers)
    {
        var ranges = new List<(uint, uint)>();
        foreach (uint n in numbers.Order())
        {
            if (ranges.Count > 0 && (ranges[^1].Item2 == n || ranges[^1].Item2 + 1 == n))
            {
                ranges[^1] = (ranges[^1].Item1, n);
            }
            else
            {
                ranges.Add((n, n));
            }
        }

        return new SequenceSet(ranges);
    }

    /// <summary>True when <paramref name="n"/> is in the set, "*" meaning <paramref name="max"/>.</summary>
    public bool Contains(uint n, uint max)
    {
        foreach (var (first, last) in _ranges)
        {
            uint a = Resolve(first, max);
            uint b = Resolve(last, max);
            if (a > b)
            {
                (a, b) = (b, a);
            }

            if (n >= a && n <= b)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The members between 1 and <paramref name="max"/>, ascending and without duplicates.
    /// Ranges beyond <paramref name="max"/> are clipped, so "1:4294967295" costs no more than "1:*".
    /// </summary>
    public IEnumerable<uint> Enumerate(uint max)
    {
        if (max == 0)
        {
            return [];
        }

        var clipped = new List<(uint, uint)>();
        foreach (var (first, last) in _ranges)
        {
            uint a = Resolve(first, max);
            uint b = Resolve(last, max);
            if (a > b)
            {
                (a, b) = (b, a);
            }

            if (a > max)
            {
                continue;
            }

            clipped.Add((Math.Max(a, 1), Math.Min(b, max)));
        }

        return Merge(clipped);
    }

    /// <summary>True when a set member is "*" or a range ends in "*".</summary>
    public bool UsesStar => _ranges.Any(r => r.First == Star || r.Last == Star);

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (first, last) in _ranges)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(Format(first));
            if (first != last)
            {
                sb.Append(':').Append(Format(last));
            }
        }

        return sb.ToString();
    }

    private static IEnumerable<uint> Merge(List<(uint First, uint Last)> ranges)
    {
        ranges.Sort();
        long next = 1;
        foreach (var (first, last) in ranges)
        {
            for (long n = Math.Max(first, next); n <= last; n++)
            {
                yield return (uint)n;
            }

            next = Math.Max(next, (long)last + 1);
        }
    }

    private static uint Resolve(uint n, uint max) => n == Star ? max : n;

    private static string Format(uint n) => n == Star ? "*" : n.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseNumber(string s, out uint n)
    {
        n = 0;
        if (s == "*")
        {
            n = Star;
            return true;
        }

        // nz-number: no sign, no leading zero, not zero; "1:4294967295" is common. A number past 32
        // bits is no nz-number; GNU imap4d takes it as the last message, and so do we (not BAD).
        if (s.Length == 0 || s[0] == '0' || !s.All(char.IsAsciiDigit))
        {
            return false;
        }

        n = s.Length > 10 || !uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed) ? Star : parsed;
        return true;
    }
}
