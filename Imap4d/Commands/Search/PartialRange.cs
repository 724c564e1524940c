using System.Globalization;
using Imap4d.Protocol;

namespace Imap4d.Commands.Search;

/// <summary>
/// The range of a PARTIAL return option: positions in the result counted from 1 (RFC 5267 §4.4,
/// <c>1:500</c>), or from the end when negative (RFC 9394 §3.1, <c>-1:-100</c> is the last 100).
/// Kept with the smaller magnitude first, which is how the response echoes it (<c>4:2</c> → <c>2:4</c>).
/// </summary>
public readonly record struct PartialRange(long First, long Last)
{
    public bool FromEnd => First < 0;

    public static PartialRange Parse(string text)
    {
        int colon = text.IndexOf(':');
        if (colon <= 0 || !TryBound(text.AsSpan(0, colon), out long a) || !TryBound(text.AsSpan(colon + 1), out long b) || (a < 0) != (b < 0))
        {
            throw new ImapSyntaxException("Invalid partial range " + text);
        }

        return Math.Abs(a) <= Math.Abs(b) ? new PartialRange(a, b) : new PartialRange(b, a);
    }

    /// <summary>The results at the positions of this range, in their order; empty when none are there.</summary>
    public List<T> Select<T>(IReadOnlyList<T> results)
    {
        long start, end; // zero-based, end exclusive
        if (FromEnd)
        {
            start = results.Count + Last;
            end = results.Count + First + 1;
        }
        else
        {
            start = First - 1;
            end = Last;
        }

        start = Math.Clamp(start, 0, results.Count);
        end = Math.Clamp(end, start, results.Count);
        var part = new List<T>((int)(end - start));
        for (long i = start; i < end; i++)
        {
            part.Add(results[(int)i]);
        }

        return part;
    }

    public override string ToString() =>
        First.ToString(CultureInfo.InvariantCulture) + ":" + Last.ToString(CultureInfo.InvariantCulture);

    /// <summary>nz-number, or "-" nz-number; "*" and 0 are not allowed.</summary>
    private static bool TryBound(ReadOnlySpan<char> text, out long value)
    {
        bool negative = text.StartsWith("-");
        if (negative)
        {
            text = text[1..];
        }

        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint n) || n == 0)
        {
            value = 0;
            return false;
        }

        value = negative ? -(long)n : n;
        return true;
    }
}
