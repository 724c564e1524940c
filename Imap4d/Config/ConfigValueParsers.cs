using System.Globalization;

namespace Imap4d.Config;

/// <summary>
/// Parsers for the scalar value forms mailutils accepts. Each returns false (or null)
/// on malformed input so callers can word the error with the statement's location.
/// </summary>
public static class ConfigValueParsers
{
    private static readonly (string Name, int Seconds)[] TimeUnits =
    [
        ("seconds", 1),
        ("minutes", 60),
        ("hours", 3600),
        ("days", 86400),
        ("weeks", 7 * 86400),
        ("months", 31 * 86400),
    ];

    private static readonly Dictionary<string, int> WellKnownPorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["imap"] = 143,
        ["imap2"] = 143,
        ["imap4"] = 143,
        ["imaps"] = 993,
        ["pop3"] = 110,
        ["pop3s"] = 995,
    };

    /// <summary>GNU's words for true and false, case-sensitive as in mailutils.</summary>
    public static bool? ParseBoolean(string text) => text switch
    {
        "yes" or "on" or "t" or "true" or "1" => true,
        "no" or "off" or "nil" or "false" or "0" => false,
        _ => null,
    };

    /// <summary>
    /// A sequence of `[N] UNIT` pairs, as mailutils reads intervals: `30`, `90 seconds`,
    /// `1 hour 30 minutes`, `2 d`, `week`. A unit is any prefix of seconds, minutes, hours,
    /// days, weeks or months (so `m` is minutes); a number without unit is seconds. Like
    /// mailutils, a number needs a blank before its unit: `10m` is rejected.
    /// </summary>
    public static TimeSpan? ParseTimeInterval(string text)
    {
        long total = 0;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        for (var i = 0; i < words.Length; i++)
        {
            long count = 1;
            if (char.IsAsciiDigit(words[i][0]))
            {
                if (!long.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out count))
                {
                    return null;
                }

                if (i + 1 == words.Length)
                {
                    total += count;
                    break;
                }

                i++;
            }

            var unit = TimeUnits.FirstOrDefault(u => u.Name.StartsWith(words[i], StringComparison.OrdinalIgnoreCase));
            if (unit.Name is null)
            {
                return null;
            }

            total += count * unit.Seconds;
        }

        return TimeSpan.FromSeconds(total);
    }

    /// <summary>An octal file mode such as `0755` or `700`, at most 0777.</summary>
    public static int? ParseOctalMode(string text)
    {
        if (text.Length == 0 || text.Length > 4 || !text.All(c => c is >= '0' and <= '7'))
        {
            return null;
        }

        var mode = Convert.ToInt32(text, 8);
        return mode <= 0x1FF ? mode : null;
    }

    /// <summary>
    /// GNU's mailbox permission string, e.g. `g+rw,o+r`: group and other bits added to the
    /// owner's 0600. Returns the full mode (0664 for that example). An octal mode is accepted too.
    /// </summary>
    public static int? ParseMailboxMode(string text)
    {
        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            return ParseOctalMode(text);
        }

        var mode = 0x180; // 0600: the owner can always read and write their mailbox
        foreach (var part in text.Split(','))
        {
            if (part.Length < 3 || part[0] is not ('g' or 'o') || part[1] is not ('+' or '='))
            {
                return null;
            }

            var shift = part[0] == 'g' ? 3 : 0;
            foreach (var permission in part[2..])
            {
                mode |= permission switch
                {
                    'r' => 4 << shift,
                    'w' => 2 << shift,
                    _ => -1,
                };
                if (mode < 0)
                {
                    return null;
                }
            }
        }

        return mode;
    }

    /// <summary>A port number 1-65535 or a TCP service name (a few built in, then /etc/services).</summary>
    public static int? ParsePort(string text)
    {
        if (char.IsAsciiDigit(text.FirstOrDefault()))
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535
                ? number
                : null;
        }

        return WellKnownPorts.TryGetValue(text, out var known) ? known : LookUpService(text);
    }

    /// <summary>`ADDR[:PORT]`; IPv6 as `[ADDR]:PORT` or a bare address. Port is null when not given.</summary>
    public static bool TryParseHostPort(string text, out string address, out int? port)
    {
        address = text;
        port = null;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            address = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                portText = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':');
            address = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (address.Length == 0)
        {
            return false;
        }

        if (portText is not null)
        {
            port = ParsePort(portText);
            return port is not null;
        }

        return true;
    }

    private static int? LookUpService(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/services"))
            {
                var fields = line.Split('#')[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && fields[1].EndsWith("/tcp", StringComparison.Ordinal)
                    && (fields[0] == name || fields.Skip(2).Contains(name))
                    && int.TryParse(fields[1].AsSpan(0, fields[1].Length - 4), out var port))
                {
                    return port;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
