using System.Globalization;
using System.Text;

namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// The header values a <see cref="TestCorpus"/> varies on purpose, for SORT and THREAD: subjects
/// with every reply and forward marker RFC 5256 §2.1 strips (and a few it does not), addresses
/// with and without display names, dates in many zones and spellings, some unreadable.
/// </summary>
internal static class CorpusHeaders
{
    public static readonly string[] Topics =
    [
        "Quarterly report", "quarterly REPORT", "Lunch on Friday", "Server migration plan", "Budget 2020",
        "Holiday schedule", "Bug in the parser", "Release notes draft", "Meeting minutes", "Invoice 4711",
        "Team offsite", "Password reset", "Weekly status", "New hire onboarding", "Printer on floor 3",
        "Conference travel", "Code review request", "Database backup failed", "Welcome aboard", "Coffee machine",
        "Project Apollo", "project apollo", "Design review", "Security advisory", "Newsletter",
        "Zebra crossing", "apple pie recipe", "Apple Pie Recipe", "Yearly goals", "Minutes", "[Important] Notice",
    ];

    /// <summary>Non-ASCII topics, sent as encoded words (their SORT position depends on the collation's decomposition).</summary>
    public static readonly string[] UnicodeTopics = ["Café menu", "Größe der Dateien", "Ærø ferry times", "naïve question", "Łódź visit"];

    private static readonly string[] Names =
    [
        "Alice Archer", "Bob Baker", "Carol Chen", "Dave Dunn", "Erin Evans", "Frank Fisher", "Grace Gold",
        "Heidi Hall", "Ivan Ivanov", "Judy Jones", "Mallory Moore", "Niaj Nolan", "Olivia Olsen", "Peggy Park",
        "Rupert Reed", "Sybil Stone", "Trent Turner", "Victor Vance", "Walter White", "Zoe Zimmer",
    ];

    private static readonly string[] UnicodeNames = ["Jörg Müller", "Zoë Ångström", "Émile Zola", "Łukasz Żak"];

    private static readonly string[] Hosts = ["example.com", "example.org", "mail.example.net", "lists.example.com", "EXAMPLE.COM"];

    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly int[] ZoneMinutes = [0, -480, -420, 60, 120, 330, 345, -210, 780, -720, 600, -300];

    private static readonly (string Name, int Minutes)[] ObsoleteZones =
    [
        ("GMT", 0), ("UT", 0), ("EST", -300), ("EDT", -240), ("CST", -360), ("CDT", -300),
        ("MST", -420), ("MDT", -360), ("PST", -480), ("PDT", -420),
    ];

    /// <summary>Dates no parser should read (the message then sorts by its internal date).</summary>
    private static readonly string[] BrokenDates =
    [
        "not a date", "", "yesterday at noon", "2019-01-07T10:00:00Z", "Mon, 7 Foo 2019 10:00:00 +0000",
        "Mon, 7 Jan 2019 25:61:00 +0000", "Mon, 32 Jan 2019 10:00:00 +0000", "Tue, 7 Jan",
    ];

    /// <summary>A subject built on <paramref name="baseSubject"/> in spelling <paramref name="variant"/> (0 = as is).</summary>
    public static string Subject(string baseSubject, int variant) => variant switch
    {
        0 => baseSubject,
        1 => "Re: " + baseSubject,
        2 => "RE: " + baseSubject,
        3 => "re:" + baseSubject,
        4 => "Fwd: " + baseSubject,
        5 => "FW: " + baseSubject,
        6 => "Re: Re: " + baseSubject,
        7 => "Re[2]: " + baseSubject,
        8 => "[list] Re: " + baseSubject,
        9 => "Re: [list] " + baseSubject,
        10 => "[list] " + baseSubject,
        11 => baseSubject + " (fwd)",
        12 => "[Fwd: " + baseSubject + "]",
        13 => "Fwd: [list] Re: " + baseSubject + " (Fwd)",
        14 => "  " + baseSubject + "   ",
        15 => "Re:\t" + baseSubject.Replace(" ", " \t", StringComparison.Ordinal),
        16 => EncodeQ("Re: " + baseSubject, "utf-8"),
        17 => "Re: " + EncodeB(baseSubject, "utf-8"),
        18 => "[" + baseSubject + "]",
        19 => "Re: [fwd: " + baseSubject + "]",
        20 => "Fw: Re: [a] [b] " + baseSubject,
        21 => "Re : " + baseSubject,
        22 => "Aw: " + baseSubject,
        23 => Fold(baseSubject),
        24 => "Re: " + EncodeQ(baseSubject, "iso-8859-1") + " (fwd)",
        _ => "[tag][other] fwd: " + baseSubject,
    };

    public const int SubjectVariants = 26;

    /// <summary>A non-ASCII subject as encoded words (B or Q, UTF-8 or Latin-1 where it fits), or raw UTF-8 (8-bit header).</summary>
    public static string UnicodeSubject(string text, int variant) => (variant % 4) switch
    {
        0 => EncodeB(text, "utf-8"),
        1 => "Re: " + EncodeQ(text, "utf-8"),
        2 when text.All(c => c <= 0xFF) => EncodeQ(text, "iso-8859-1"),
        2 => EncodeQ(text, "utf-8") + " (fwd)",
        _ => "Fwd: " + text,
    };

    /// <summary>One address in spelling <paramref name="variant"/>, for person <paramref name="person"/>.</summary>
    public static string Address(int person, int variant, int host)
    {
        string name = Names[person % Names.Length];
        string local = name.ToLowerInvariant().Replace(' ', '.');
        string domain = Hosts[host % Hosts.Length];
        string last = name[(name.IndexOf(' ') + 1)..], first = name[..name.IndexOf(' ')];
        return variant switch
        {
            0 => $"{name} <{local}@{domain}>",
            1 => $"{local}@{domain}",
            2 => $"<{local}@{domain}>",
            3 => $"\"{last}, {first}\" <{local}@{domain}>",
            4 => $"{local}@{domain} ({name})",
            5 => $"{EncodeQ(UnicodeNames[person % UnicodeNames.Length], "utf-8")} <{Ascii(UnicodeNames[person % UnicodeNames.Length])}@{domain}>",
            6 => $"{name} <{local.ToUpperInvariant()}@{domain}>",
            _ => $"\"{name}\" <{first.ToLowerInvariant()}@{domain}>",
        };
    }

    public const int AddressVariants = 8;

    /// <summary>A Date: value for <paramref name="utc"/> in spelling <paramref name="variant"/>; broken ones for variant ≥ 100.</summary>
    public static string Date(DateTime utc, int variant, int zone)
    {
        if (variant >= 100)
        {
            return BrokenDates[(variant - 100) % BrokenDates.Length];
        }

        int minutes = ZoneMinutes[zone % ZoneMinutes.Length];
        string zoneText = ZoneText(minutes);
        if (variant == 3)
        {
            (zoneText, minutes) = ObsoleteZones[zone % ObsoleteZones.Length];
        }

        var local = utc.AddMinutes(minutes);
        string day = Days[(int)local.DayOfWeek], month = Months[local.Month - 1];
        string time = local.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        string Year(int digits) => digits == 2 ? (local.Year % 100).ToString("00", CultureInfo.InvariantCulture) : local.Year.ToString(CultureInfo.InvariantCulture);
        return variant switch
        {
            0 or 3 => $"{day}, {local.Day} {month} {Year(4)} {time} {zoneText}",
            1 => $"{local.Day} {month} {Year(4)} {time} {zoneText}",
            2 => $"{day}, {local.Day:00} {month} {Year(4)} {local:HH:mm} {zoneText}",
            4 => $"{day}, {local.Day} {month} {Year(4)} {time} {zoneText} (CET)",
            5 => $"{day}, {local.Day:00} {month} {Year(2)} {time} {zoneText}",
            6 => $"{day.ToUpperInvariant()}, {local.Day} {month.ToUpperInvariant()} {Year(4)} {time} {zoneText}",
            _ => $"{day},  {local.Day}  {month}  {Year(4)}  {time}   {zoneText}",
        };
    }

    public const int DateVariants = 8;

    public const int BrokenDateVariants = 8;

    public static string EncodeQ(string text, string charset)
    {
        var bytes = charset == "utf-8" ? Encoding.UTF8.GetBytes(text) : Encoding.Latin1.GetBytes(text);
        var sb = new StringBuilder("=?" + charset + "?Q?");
        foreach (byte b in bytes)
        {
            if (b == ' ')
            {
                sb.Append('_');
            }
            else if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('=').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.Append("?=").ToString();
    }

    public static string EncodeB(string text, string charset) =>
        "=?" + charset + "?B?" + Convert.ToBase64String(charset == "utf-8" ? Encoding.UTF8.GetBytes(text) : Encoding.Latin1.GetBytes(text)) + "?=";

    private static string Fold(string text)
    {
        int space = text.IndexOf(' ');
        return space < 0 ? text : text[..space] + "\n " + text[(space + 1)..];
    }

    private static string ZoneText(int minutes) =>
        (minutes < 0 ? "-" : "+") + (Math.Abs(minutes) / 60).ToString("00", CultureInfo.InvariantCulture)
        + (Math.Abs(minutes) % 60).ToString("00", CultureInfo.InvariantCulture);

    /// <summary>A plain ASCII local part for a name ("Jörg Müller" → "jorg.muller").</summary>
    private static string Ascii(string name)
    {
        var sb = new StringBuilder();
        foreach (char c in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('.');
            }
        }

        return sb.ToString();
    }
}
