using System.Globalization;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The moment a Date: header names (RFC 2822 §3.3, with the obsolete forms of §4.3), as Unix
/// seconds in UTC: the "sent date" that SORT (DATE) and THREAD compare (RFC 5256 §2.2). The
/// day of the week and comments are skipped; two- and three-digit years are widened; a missing
/// or unknown zone counts as +0000 and a missing second as 0. Unreadable dates give null, and
/// the caller falls back to the internal date as the RFC says.
/// </summary>
public static class SentTime
{
    private static readonly string[] Months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static long? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var tokens = Tokens(value);
        int i = 0;
        if (i < tokens.Count && !char.IsAsciiDigit(tokens[i][0]))
        {
            i++; // day of the week
        }

        if (i + 3 > tokens.Count)
        {
            return null;
        }

        if (!Number(tokens[i], 1, 2, out int day) || MonthOf(tokens[i + 1]) is not (> 0 and int month) ||
            !Number(tokens[i + 2], 2, 4, out int year))
        {
            return null;
        }

        year = tokens[i + 2].Length switch
        {
            2 => year < 50 ? 2000 + year : 1900 + year,
            3 => 1900 + year,
            _ => year,
        };
        if (i + 3 >= tokens.Count || !Time(tokens[i + 3], out int hour, out int minute, out int second))
        {
            return null;
        }

        int zone = i + 4 < tokens.Count ? ZoneMinutes(tokens[i + 4]) : 0;
        if (year < 1 || year > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return null;
        }

        var local = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified);
        return new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeSeconds() - zone * 60L + (second == 60 ? 1 : 0);
    }

    /// <summary>
    /// Words of the value split at blanks and commas, comments removed; "2-Nov-2026" gives three
    /// words and "18:02:41+0000" two (both seen in the wild).
    /// </summary>
    private static List<string> Tokens(string value)
    {
        var tokens = new List<string>();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= value.Length && tokens.Count < 12; i++)
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

    private static bool Time(string token, out int hour, out int minute, out int second)
    {
        hour = minute = second = 0;
        string[] parts = token.Split(':');
        return parts.Length is 2 or 3 && Number(parts[0], 1, 2, out hour) && Number(parts[1], 1, 2, out minute) &&
               (parts.Length == 2 || Number(parts[2], 1, 2, out second));
    }

    /// <summary>"+hhmm", "-hhmm", or an RFC 822 zone name; unknown zones count as UTC (RFC 2822 §4.3).</summary>
    private static int ZoneMinutes(string token)
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
