using System.Globalization;
using System.Text;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// The <c>From sender date</c> separator line. We write asctime form in the date's own zone,
/// the offset after the year unless it is UTC (<c>From joe@example.org Tue Mar  5 09:20:30 2024 +0200</c>;
/// GNU mailutils, Dovecot and mutt read that form); we read
/// that form and its usual variants: a zone name or numeric offset before or after the year,
/// no seconds, a sender containing spaces. A date without a zone is taken as UTC.
/// </summary>
internal static class FromLine
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static bool IsFromLine(ReadOnlySpan<byte> line) => line.StartsWith("From "u8);

    public static byte[] Format(string sender, DateTimeOffset date)
    {
        var local = date.DateTime;
        string zone = "";
        if (date.Offset != TimeSpan.Zero)
        {
            var offset = date.Offset.Duration();
            zone = string.Create(CultureInfo.InvariantCulture, $" {(date.Offset < TimeSpan.Zero ? '-' : '+')}{offset.Hours:D2}{offset.Minutes:D2}");
        }

        string text = string.Create(CultureInfo.InvariantCulture,
            $"From {sender} {Days[(int)local.DayOfWeek]} {Months[local.Month - 1]} {local.Day,2} {local:HH:mm:ss} {local.Year}{zone}\n");
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>The date of a From line; null when none can be recognised.</summary>
    public static DateTimeOffset? ParseDate(ReadOnlySpan<byte> line)
    {
        if (line.Length > 1000)
        {
            line = line[..1000];
        }

        string[] tokens = Encoding.Latin1.GetString(line).Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 1; i + 3 < tokens.Length; i++)
        {
            if (Array.IndexOf(Days, Capitalise(tokens[i])) < 0)
            {
                continue;
            }

            int month = MonthOf(tokens[i + 1]);
            if (month == 0 || !int.TryParse(tokens[i + 2], NumberStyles.None, CultureInfo.InvariantCulture, out int day)
                || !TryParseTime(tokens[i + 3], out var time))
            {
                continue;
            }

            int? year = null;
            TimeSpan offset = TimeSpan.Zero;
            for (int j = i + 4; j < tokens.Length && j < i + 7; j++)
            {
                string t = tokens[j];
                if (year is null && t.Length == 4 && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int y))
                {
                    year = y;
                }
                else if (TryParseOffset(t, out var o))
                {
                    offset = o;
                }
                else if (year is not null)
                {
                    break;
                }
            }

            if (year is null || day is < 1 or > 31)
            {
                continue;
            }

            try
            {
                return new DateTimeOffset(year.Value, month, Math.Min(day, DateTime.DaysInMonth(year.Value, month)),
                    0, 0, 0, offset).Add(time);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>An RFC 2822 Date header value, leniently; null when it cannot be read.</summary>
    public static DateTimeOffset? ParseRfc2822(string value)
    {
        int comment = value.IndexOf('(');
        if (comment >= 0)
        {
            value = value[..comment];
        }

        string[] tokens = value.Replace(",", " ").Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        int i = 0;
        if (i < tokens.Length && Array.IndexOf(Days, Capitalise(tokens[i])) >= 0)
        {
            i++;
        }

        if (i + 3 >= tokens.Length || !int.TryParse(tokens[i], NumberStyles.None, CultureInfo.InvariantCulture, out int day))
        {
            return null;
        }

        int month = MonthOf(tokens[i + 1]);
        if (month == 0 || !int.TryParse(tokens[i + 2], NumberStyles.None, CultureInfo.InvariantCulture, out int year)
            || !TryParseTime(tokens[i + 3], out var time))
        {
            return null;
        }

        if (year < 100)
        {
            year += year < 50 ? 2000 : 1900;
        }

        var offset = TimeSpan.Zero;
        if (i + 4 < tokens.Length)
        {
            TryParseOffset(tokens[i + 4], out offset);
        }

        try
        {
            return new DateTimeOffset(year, month, Math.Min(Math.Max(day, 1), DateTime.DaysInMonth(year, month)), 0, 0, 0, offset)
                .Add(time);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static string Capitalise(string token) =>
        token.Length >= 3 ? char.ToUpperInvariant(token[0]) + token.Substring(1, 2).ToLowerInvariant() : token;

    private static int MonthOf(string token) =>
        token.Length >= 3 ? Array.IndexOf(Months, Capitalise(token)) + 1 : 0;

    private static bool TryParseTime(string token, out TimeSpan time)
    {
        time = default;
        string[] parts = token.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            return false;
        }

        int[] values = new int[3];
        for (int k = 0; k < parts.Length; k++)
        {
            if (!int.TryParse(parts[k], NumberStyles.None, CultureInfo.InvariantCulture, out values[k]))
            {
                return false;
            }
        }

        if (values[0] > 23 || values[1] > 59 || values[2] > 60)
        {
            return false;
        }

        time = new TimeSpan(values[0], values[1], Math.Min(values[2], 59));
        return true;
    }

    private static bool TryParseOffset(string token, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (token.Length == 5 && token[0] is '+' or '-'
            && int.TryParse(token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int hhmm))
        {
            int minutes = hhmm / 100 * 60 + hhmm % 100;
            if (minutes >= 24 * 60)
            {
                return false;
            }

            offset = TimeSpan.FromMinutes(token[0] == '-' ? -minutes : minutes);
            return true;
        }

        switch (token.ToUpperInvariant())
        {
            case "UT" or "UTC" or "GMT" or "Z":
                return true;
            case "EST": offset = TimeSpan.FromHours(-5); return true;
            case "EDT": offset = TimeSpan.FromHours(-4); return true;
            case "CST": offset = TimeSpan.FromHours(-6); return true;
            case "CDT": offset = TimeSpan.FromHours(-5); return true;
            case "MST": offset = TimeSpan.FromHours(-7); return true;
            case "MDT": offset = TimeSpan.FromHours(-6); return true;
            case "PST": offset = TimeSpan.FromHours(-8); return true;
            case "PDT": offset = TimeSpan.FromHours(-7); return true;
            case "CET": offset = TimeSpan.FromHours(1); return true;
            case "CEST": offset = TimeSpan.FromHours(2); return true;
            default: return false;
        }
    }
}
