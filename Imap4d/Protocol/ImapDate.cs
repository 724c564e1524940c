using System.Globalization;

namespace Imap4d.Protocol;

/// <summary>IMAP date ("1-Feb-1994") and date-time ("01-Feb-1994 21:52:25 -0800") forms of RFC 3501.</summary>
public static class ImapDate
{
    private static readonly string[] Months =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Parses a SEARCH date: day (1 or 2 digits), month name, 4-digit year.</summary>
    public static bool TryParseDate(string text, out DateOnly date)
    {
        date = default;
        string[] parts = text.Split('-');
        if (parts.Length != 3 || parts[0].Length is < 1 or > 2 || parts[2].Length != 4)
        {
            return false;
        }

        int month = Array.FindIndex(Months, m => m.Equals(parts[1], StringComparison.OrdinalIgnoreCase)) + 1;
        if (month == 0 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int day) ||
            !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int year) ||
            year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>Parses an APPEND date-time: "dd-MMM-yyyy HH:mm:ss +zzzz" (day may be space-padded).</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != 26 || text[2] != '-' || text[6] != '-' || text[11] != ' ' || text[20] != ' ')
        {
            return false;
        }

        string day = text[..2].TrimStart(' ');
        if (!TryParseDate(day + text[2..11], out var date) ||
            !TimeOnly.TryParseExact(text[12..20], "HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return false;
        }

        char sign = text[21];
        if ((sign != '+' && sign != '-') ||
            !int.TryParse(text[22..24], NumberStyles.None, CultureInfo.InvariantCulture, out int zh) ||
            !int.TryParse(text[24..26], NumberStyles.None, CultureInfo.InvariantCulture, out int zm) ||
            zh > 23 || zm > 59)
        {
            return false;
        }

        var offset = new TimeSpan(zh, zm, 0);
        try
        {
            value = new DateTimeOffset(date.ToDateTime(time), sign == '-' ? -offset : offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Formats a date-time for INTERNALDATE: "dd-MMM-yyyy HH:mm:ss +zzzz" with a two-digit day, as GNU
    /// imap4d and Dovecot write it (RFC 3501 allows a space-padded day too; some parsers do not).
    /// </summary>
    public static string FormatDateTime(DateTimeOffset value)
    {
        var offset = value.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture,
            $"{value.Day:D2}-{Months[value.Month - 1]}-{value.Year:D4} {value.Hour:D2}:{value.Minute:D2}:{value.Second:D2} {sign}{offset.Hours:D2}{offset.Minutes:D2}");
    }
}
