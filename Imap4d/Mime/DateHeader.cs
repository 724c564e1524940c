using System.Globalization;

namespace Imap4d.Mime;

/// <summary>
/// What an RFC 2822 Date: value says (§3.3, with the obsolete forms of §4.3), read leniently:
/// comments and the day of the week are skipped, two- and three-digit years are widened, and the
/// run-together forms seen in the wild ("2-Nov-2026", "10:00:00+0200") are split. SEARCH SENT*
/// compare the date as written (RFC 3501 §6.4.4); SORT (DATE) and THREAD the moment in UTC
/// (RFC 5256 §2.2), for which a time of day is needed.
/// </summary>
/// <param name="SecondOfDay">Seconds since midnight as written (60 for a leap second); null without a readable time.</param>
/// <param name="ZoneMinutes">The zone's offset east of UTC; a missing or unknown zone counts as +0000.</param>
public readonly record struct DateHeader(DateOnly Date, int? SecondOfDay, int ZoneMinutes)
{
    private const int MaxTokens = 16;

    private static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    private static readonly string[] Months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>The moment in Unix seconds, or null when the value names no time of day.</summary>
    public long? UnixSeconds => SecondOfDay is int second
        ? (long)Date.DayNumber * 86400 - UnixEpochDay * 86400L + second - ZoneMinutes * 60L
        : null;

    /// <summary>The first day-month-year found; false when there is none or it names no real day.</summary>
    public static bool TryParse(string? value, out DateHeader parsed)
    {
        parsed = default;
        if (value is null)
        {
            return false;
        }

        var tokens = Tokens(value);
        for (int i = 0; i + 2 < tokens.Count; i++)
        {
            if (!Number(tokens[i], 1, 2, out int day))
            {
                continue;
            }

            int month = MonthOf(tokens[i + 1]);
            if (month == 0 || !Number(tokens[i + 2], 2, 4, out int year))
            {
                continue;
            }

            year = tokens[i + 2].Length switch
            {
                2 => year < 50 ? 2000 + year : 1900 + year,
                3 => 1900 + year,
                _ => year,
            };
            if (year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }

            int? second = i + 3 < tokens.Count ? SecondOfDayOf(tokens[i + 3]) : null;
            int zone = second is not null && i + 4 < tokens.Count ? ZoneMinutesOf(tokens[i + 4]) : 0;
            parsed = new DateHeader(new DateOnly(year, month, day), second, zone);
            return true;
        }

        return false;
    }

    /// <summary>Words of the value split at blanks and commas, comments removed.</summary>
    private static List<string> Tokens(string value)
    {
        var tokens = new List<string>();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= value.Length && tokens.Count < MaxTokens; i++)
        {
            char c = i < value.Length ? value[i] : ' ';
            bool separator = depth > 0 || c is ' ' or '\t' or '\r' or '\n' or ',' or '(' or ')';
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
                separator = true;
            }

            if (separator)
            {
                if (start >= 0)
                {
                    Add(tokens, value[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return tokens;
    }

    /// <summary>Adds a word, split where a zone is glued to the time or dashes join day, month and year.</summary>
    private static void Add(List<string> tokens, string word)
    {
        int colon = word.IndexOf(':');
        if (colon > 0)
        {
            int sign = word.IndexOfAny(['+', '-'], colon);
            if (sign > 0)
            {
                tokens.Add(word[..sign]);
                tokens.Add(word[sign..]);
                return;
            }
        }
        else if (word.Length > 1 && word.IndexOf('-', 1) > 0 && char.IsAsciiDigit(word[0]))
        {
            tokens.AddRange(word.Split('-', StringSplitOptions.RemoveEmptyEntries));
            return;
        }

        tokens.Add(word);
    }

    /// <summary>"hh:mm" or "hh:mm:ss" as seconds since midnight; null when it is not a time of day.</summary>
    private static int? SecondOfDayOf(string token)
    {
        string[] parts = token.Split(':');
        int second = 0;
        bool read = parts.Length is 2 or 3 && Number(parts[0], 1, 2, out int hour) && Number(parts[1], 1, 2, out int minute) &&
                    (parts.Length == 2 || Number(parts[2], 1, 2, out second)) && hour <= 23 && minute <= 59 && second <= 60;
        return read ? (int.Parse(parts[0], CultureInfo.InvariantCulture) * 60 + int.Parse(parts[1], CultureInfo.InvariantCulture)) * 60 + second : null;
    }

    /// <summary>"+hhmm", "-hhmm", or an RFC 822 zone name; unknown zones count as UTC (RFC 2822 §4.3).</summary>
    private static int ZoneMinutesOf(string token)
    {
        if (token.Length == 5 && token[0] is '+' or '-' && Number(token[1..], 4, 4, out int hhmm))
        {
            int minutes = hhmm / 100 * 60 + hhmm % 100;
            return token[0] == '-' ? -minutes : minutes;
        }

        return token.ToUpperInvariant() switch
        {
            "EDT" => -4 * 60,
            "EST" or "CDT" => -5 * 60,
            "CST" or "MDT" => -6 * 60,
            "MST" or "PDT" => -7 * 60,
            "PST" => -8 * 60,
            _ => 0,
        };
    }

    private static bool Number(string token, int minDigits, int maxDigits, out int n)
    {
        n = 0;
        return token.Length >= minDigits && token.Length <= maxDigits && token.All(char.IsAsciiDigit) &&
               int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }

    private static int MonthOf(string token) =>
        token.Length >= 3 ? Array.IndexOf(Months, token[..3].ToLowerInvariant()) + 1 : 0;
}
