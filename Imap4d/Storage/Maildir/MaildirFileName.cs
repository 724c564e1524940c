using System.Globalization;
using System.Text;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// A maildir message file name, split as the maildir spec (cr.yp.to/proto/maildir.html),
/// Maildir++ and Dovecot use it: <c>UNIQUE[,S=size][,W=vsize][,other=...]:2,INFO</c>.
/// <see cref="Base"/> is everything before the first ':' (what Dovecot's uidlist stores);
/// <see cref="Key"/> is everything before the first ',' or ':' — the part no program ever
/// changes (mailutils rewrites its <c>,a=</c> field when flags change, mutt rewrites the info),
/// so it is what UIDs are attached to.
/// </summary>
public sealed record MaildirFileName(string Name, string Base, string Key, string? Info, long? FileSize, long? VirtualSize, uint? MailutilsUid)
{
    /// <summary>The info letters this driver maps to IMAP system flags.</summary>
    public const string SystemLetters = "DFRST";

    private static int _counter;

    /// <summary>True when the name carries standard ":2," info.</summary>
    public bool HasStandardInfo => Info is not null && Info.StartsWith("2,", StringComparison.Ordinal);

    /// <summary>The flag letters after ":2,", or "" when there are none.</summary>
    public string Letters => HasStandardInfo ? Info![2..] : string.Empty;

    public static MaildirFileName Parse(string name)
    {
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        string baseName = colon < 0 ? name : name[..colon];
        string? info = colon < 0 ? null : name[(colon + 1)..];
        int comma = baseName.IndexOf(',', StringComparison.Ordinal);
        string key = comma < 0 ? baseName : baseName[..comma];
        long? size = null;
        long? vsize = null;
        uint? uid = null;
        if (comma >= 0)
        {
            foreach (string field in baseName[(comma + 1)..].Split(','))
            {
                if (field.StartsWith("S=", StringComparison.Ordinal) && long.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out long s))
                {
                    size = s;
                }
                else if (field.StartsWith("W=", StringComparison.Ordinal) && long.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out long w))
                {
                    vsize = w;
                }
                else if (field.StartsWith("u=", StringComparison.Ordinal) && uint.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out uint u))
                {
                    uid = u;
                }
            }
        }

        return new MaildirFileName(name, baseName, key, info, size, vsize, uid);
    }

    /// <summary>
    /// What <see cref="Parse"/> reads from the fields between the key and the info (<c>S=</c>,
    /// <c>W=</c>, <c>u=</c>; the last of each wins), without a string per field: what a scan needs
    /// of every file it meets for the first time (100,000 of them at a first SELECT).
    /// </summary>
    /// <param name="name">A full file name.</param>
    /// <param name="fileSize">The <c>S=</c> value, or -1.</param>
    /// <param name="virtualSize">The <c>W=</c> value, or -1.</param>
    /// <param name="mailutilsUid">The <c>u=</c> value, or null.</param>
    public static void Fields(ReadOnlySpan<char> name, out long fileSize, out long virtualSize, out uint? mailutilsUid)
    {
        fileSize = -1;
        virtualSize = -1;
        mailutilsUid = null;
        int colon = name.IndexOf(':');
        var rest = colon < 0 ? name : name[..colon];
        int comma = rest.IndexOf(',');
        if (comma < 0)
        {
            return;
        }

        rest = rest[(comma + 1)..];
        while (true)
        {
            int end = rest.IndexOf(',');
            var field = end < 0 ? rest : rest[..end];
            if (field.Length > 2 && field[1] == '=')
            {
                var digits = field[2..];
                switch (field[0])
                {
                    case 'S' when long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long s):
                        fileSize = s;
                        break;
                    case 'W' when long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long w):
                        virtualSize = w;
                        break;
                    case 'u' when uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out uint u):
                        mailutilsUid = u;
                        break;
                }
            }

            if (end < 0)
            {
                return;
            }

            rest = rest[(end + 1)..];
        }
    }

    /// <summary>The flag letters after ":2," of a full name (as <see cref="Letters"/>), without a string.</summary>
    public static ReadOnlySpan<char> LettersOf(ReadOnlySpan<char> name)
    {
        int colon = name.IndexOf(':');
        if (colon < 0)
        {
            return [];
        }

        var info = name[(colon + 1)..];
        return info.StartsWith("2,", StringComparison.Ordinal) ? info[2..] : [];
    }

    /// <summary>The key of a base name or full name (the part before the first ',' or ':').</summary>
    public static string KeyOf(string name)
    {
        int end = name.AsSpan().IndexOfAny(',', ':');
        return end < 0 ? name : name[..end];
    }

    /// <summary>The flags these letters stand for; <paramref name="keywords"/> maps 'a'..'z'.</summary>
    public static FlagSet FlagsOf(string letters, MaildirKeywords keywords) => FlagsOf(letters.AsSpan(), keywords);

    /// <summary>The flags these letters stand for; <paramref name="keywords"/> maps 'a'..'z'.</summary>
    public static FlagSet FlagsOf(ReadOnlySpan<char> letters, MaildirKeywords keywords)
    {
        var system = MessageFlags.None;
        List<string>? names = null;
        foreach (char c in letters)
        {
            switch (c)
            {
                case 'D': system |= MessageFlags.Draft; break;
                case 'F': system |= MessageFlags.Flagged; break;
                case 'R': system |= MessageFlags.Answered; break;
                case 'S': system |= MessageFlags.Seen; break;
                case 'T': system |= MessageFlags.Deleted; break;
                default:
                    if (c is >= 'a' and <= 'z' && keywords.NameOf(c) is { } keyword)
                    {
                        (names ??= []).Add(keyword);
                    }

                    break;
            }
        }

        // Most files have no keyword letters: no keyword set to build for them.
        return names is null ? FlagSet.Of(system) : FlagSet.Of(system, [.. names]);
    }

    /// <summary>
    /// The info letters for <paramref name="flags"/>, keeping letters of <paramref name="oldLetters"/>
    /// that mean nothing to us (P, unknown upper case, lower case letters with no keyword), sorted ASCII.
    /// Every keyword must already have a letter in <paramref name="keywords"/>.
    /// </summary>
    public static string LettersOf(FlagSet flags, string oldLetters, MaildirKeywords keywords)
    {
        var letters = new SortedSet<char>();
        foreach (char c in oldLetters)
        {
            bool ours = SystemLetters.Contains(c, StringComparison.Ordinal) || (c is >= 'a' and <= 'z' && keywords.NameOf(c) is not null);
            if (!ours && c > ' ' && c < 127)
            {
                letters.Add(c);
            }
        }

        if (flags.Has(MessageFlags.Draft))
        {
            letters.Add('D');
        }

        if (flags.Has(MessageFlags.Flagged))
        {
            letters.Add('F');
        }

        if (flags.Has(MessageFlags.Answered))
        {
            letters.Add('R');
        }

        if (flags.Has(MessageFlags.Seen))
        {
            letters.Add('S');
        }

        if (flags.Has(MessageFlags.Deleted))
        {
            letters.Add('T');
        }

        foreach (string keyword in flags.Keywords)
        {
            letters.Add(keywords.LetterOf(keyword) ?? throw new ArgumentException("keyword has no letter: " + keyword, nameof(flags)));
        }

        return new string([.. letters]);
    }

    /// <summary>This name with its info replaced by ":2," + <paramref name="letters"/>.</summary>
    public string WithLetters(string letters) => Base + ":2," + letters;

    /// <summary>
    /// A new unique name, <c>sec.M&lt;usec&gt;P&lt;pid&gt;Q&lt;n&gt;.host</c> (the caller adds
    /// <c>,S=size,W=vsize</c> and the info).
    /// </summary>
    /// <summary>The delivery second a maildir key starts with ("1733565600.M…"); null when it has none.</summary>
    public static DateTimeOffset? DeliveryTime(string key)
    {
        int dot = key.IndexOf('.');
        return dot > 0 && long.TryParse(key.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
            out long seconds) && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    public static string NewUnique(DateTimeOffset now)
    {
        long ticks = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = ticks / TimeSpan.TicksPerSecond;
        long usec = ticks % TimeSpan.TicksPerSecond / 10;
        int n = Interlocked.Increment(ref _counter);
        return string.Create(CultureInfo.InvariantCulture,
            $"{seconds}.M{usec}P{Environment.ProcessId}Q{n}.{EscapedHostName(Environment.MachineName)}");
    }

    /// <summary>The host name with '/' and ':' written as \057 and \072, as the spec says (and ',' as \054, as Dovecot does).</summary>
    public static string EscapedHostName(string host)
    {
        var text = new StringBuilder(host.Length);
        foreach (char c in host)
        {
            text.Append(c switch
            {
                '/' => @"\057",
                ':' => @"\072",
                ',' => @"\054",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
