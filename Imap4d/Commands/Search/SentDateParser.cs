using System.Globalization;

namespace Imap4d.Commands.Search;

/// <summary>
/// Reads the date part of an RFC 2822 Date: value ("Tue, 3 Nov 2026 18:02:41 +0000"), leniently:
/// comments and the day of the week are skipped, obsolete 2- and 3-digit years are widened
/// (RFC 2822 §4.3). The time and zone are not needed: SENT* compare the date as written.
/// </summary>
public static class SentDateParser
{
    private static readonly string[] Months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static bool TryParse(string? value, out DateOnly date)
    {
        date = default;
        if (value is null)
        {
            return false;
        }

        var tokens = Tokens(value);
        for (int i = 0; i + 2 < tokens.Count; i++)
        {
            if (!IsNumber(tokens[i], 1, 2, out int day))
            {
                continue;
            }

            int month = MonthOf(tokens[i + 1]);
            if (month == 0 || !IsNumber(tokens[i + 2], 2, 4, out int year))
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

            date = new DateOnly(year, month, day);
            return true;
        }

        return false;
    }

    /// <summary>Words of the value, split at blanks, commas and dashes, comments removed.</summary>
    private static List<string> Tokens(string value)
    {
        var tokens = new List<string>();
        int depth = 0;
        int start = -1;
        for (int i = 0; i <= value.Length; i++)
        {
            char c = i < value.Length ? value[i] : ' ';
            bool separator = depth > 0 || c is ' ' or '\t' or '\r' or '\n' or ',' or '-' or '(' or ')';
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
                    tokens.Add(value[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }

            if (tokens.Count > 16)
            {
                break;
            }
        }

        return tokens;
    }

    private static bool IsNumber(string token, int minDigits, int maxDigits, out int n)
    {
        n = 0;
        return token.Length >= minDigits && token.Length <= maxDigits && token.All(char.IsAsciiDigit) &&
               int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }

    private static int MonthOf(string token) =>
        token.Length >= 3 ? Array.IndexOf(Months, token[..3].ToLowerInvariant()) + 1 : 0;
}
