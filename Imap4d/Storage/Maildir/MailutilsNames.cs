using System.Globalization;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// What GNU mailutils (3.11 and later) reads from a maildir file name besides the ":2," letters:
/// the message's UID as a <c>,u=N</c> field, and a <c>,a=</c> field of its own attribute letters.
/// mailutils numbers the files in <see cref="DeliveryOrder"/> and keeps a file's <c>,u=</c> only
/// while the numbers ascend in that order and every file in cur/ has one; otherwise it numbers
/// them again under a new UIDVALIDITY. So every file we create carries our UID, and files new to
/// us are numbered in that same order.
/// </summary>
public static class MailutilsNames
{
    /// <summary>
    /// The <c>,a=</c> letters that stand for IMAP flags (A answered, F flagged, d deleted, D draft,
    /// R read): our ":2," letters say those, so a stale copy in <c>,a=</c> must not outlive them.
    /// </summary>
    private const string ImapLetters = "AFdDR";

    /// <summary>The UID in a <c>,u=</c> field before the info part, or null.</summary>
    public static uint? UidOf(string name)
    {
        var span = name.AsSpan();
        // Most names have no field before the info (no ',' before the first ':'): one short pass.
        int first = span.IndexOfAny(',', ':');
        if (first < 0 || span[first] == ':')
        {
            return null;
        }

        span = span[first..];
        int colon = span.IndexOf(':');
        if (colon >= 0)
        {
            span = span[..colon];
        }

        int at = span.LastIndexOf(",u=");
        if (at < 0)
        {
            return null;
        }

        var digits = span[(at + 3)..];
        int comma = digits.IndexOf(',');
        if (comma >= 0)
        {
            digits = digits[..comma];
        }

        return uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) ? uid : null;
    }

    /// <summary>
    /// <paramref name="baseName"/> (a name without its ":2," info) with the IMAP flag letters taken
    /// out of a <c>,a=</c> field (the field dropped when nothing is left), so that a flag we clear
    /// in the info does not live on there for mailutils. Unchanged (the same string) when there is
    /// nothing to take out: other programs (Dovecot) key on the name up to the ':'.
    /// </summary>
    public static string WithoutStaleAttributes(string baseName)
    {
        int at = baseName.IndexOf(",a=", StringComparison.Ordinal);
        if (at < 0)
        {
            return baseName;
        }

        int end = baseName.IndexOf(',', at + 3);
        if (end < 0)
        {
            end = baseName.Length;
        }

        string letters = baseName[(at + 3)..end];
        if (letters.AsSpan().IndexOfAny(ImapLetters) < 0)
        {
            return baseName;
        }

        string kept = new([.. letters.Where(c => !ImapLetters.Contains(c, StringComparison.Ordinal))]);
        return baseName[..at] + (kept.Length > 0 ? ",a=" + kept : string.Empty) + baseName[end..];
    }

    /// <summary>
    /// The order mailutils (and, close to it, Dovecot) sorts maildir files in, that is the order
    /// of delivery as the unique names tell it: the leading seconds, then the character after
    /// them, then the number after the first M (microseconds), then the number after the next Q
    /// (deliveries by that process), then the rest of the name up to the info, byte by byte.
    /// </summary>
    public static readonly IComparer<string> DeliveryOrder = Comparer<string>.Create(CompareDelivery);

    /// <summary>
    /// The leading seconds of a name, <see cref="DeliveryOrder"/>'s first key: sorting by it first
    /// (computed once per name) and by <see cref="DeliveryOrder"/> only among equal seconds gives
    /// the same order without parsing both names at each of the n log n comparisons.
    /// </summary>
    public static ulong DeliverySecond(string name)
    {
        var span = name.AsSpan();
        return LeadingNumber(ref span);
    }

    private static int CompareDelivery(string a, string b)
    {
        var x = a.AsSpan();
        var y = b.AsSpan();
        int order = LeadingNumber(ref x).CompareTo(LeadingNumber(ref y));
        if (order != 0)
        {
            return order;
        }

        if (x.Length == 0 || y.Length == 0 || x[0] != y[0])
        {
            return (x.Length == 0 ? 0 : x[0]) - (y.Length == 0 ? 0 : y[0]);
        }

        x = x[1..];
        y = y[1..];
        foreach (char marker in "MQ")
        {
            int mx = x.IndexOf(marker);
            int my = y.IndexOf(marker);
            if (mx < 0 || my < 0)
            {
                continue;
            }

            x = x[(mx + 1)..];
            y = y[(my + 1)..];
            order = LeadingNumber(ref x).CompareTo(LeadingNumber(ref y));
            if (order != 0)
            {
                return order;
            }
        }

        int ex = x.IndexOf(':');
        int ey = y.IndexOf(':');
        return x[..(ex < 0 ? x.Length : ex)].SequenceCompareTo(y[..(ey < 0 ? y.Length : ey)]);
    }

    /// <summary>The decimal number at the start of <paramref name="text"/> (0 when none); moves past it.</summary>
    private static ulong LeadingNumber(ref ReadOnlySpan<char> text)
    {
        ulong value = 0;
        int i = 0;
        while (i < text.Length && text[i] is >= '0' and <= '9')
        {
            value = unchecked(value * 10 + (ulong)(text[i] - '0'));
            i++;
        }

        text = text[i..];
        return value;
    }
}
