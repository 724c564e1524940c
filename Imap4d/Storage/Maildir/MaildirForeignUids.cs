using System.Globalization;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// UIDs another IMAP server left in a maildir, adopted when imap4d first opens it so clients
/// keep their caches: Dovecot's <c>dovecot-uidlist</c> (versions 1 and 3) or GNU mailutils'
/// <c>.mu-prop</c> (<c>uid-validity:</c>, <c>uidnext:</c>) with <c>,u=N</c> in the file names
/// (<see cref="FromFileNames"/>).
/// </summary>
public sealed record MaildirForeignUids(string Source, uint UidValidity, uint UidNext, IReadOnlyDictionary<string, uint> ByKey, bool FromFileNames)
{
    public const string DovecotFileName = "dovecot-uidlist";
    public const string MailutilsFileName = MailutilsProperties.FileName;

    /// <summary>Dovecot's list if present and valid, else mailutils' properties, else null.</summary>
    public static MaildirForeignUids? Find(string directory) => ReadDovecot(directory) ?? ReadMailutils(directory);

    public static MaildirForeignUids? ReadDovecot(string directory)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(directory, DovecotFileName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (lines.Length == 0)
        {
            return null;
        }

        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        uint validity = 0;
        uint next = 1;
        int version;
        if (header.Length >= 1 && header[0] == "3")
        {
            version = 3;
            foreach (string field in header.Skip(1))
            {
                if (field.Length > 1 && uint.TryParse(field.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out uint value))
                {
                    if (field[0] == 'V')
                    {
                        validity = value;
                    }
                    else if (field[0] == 'N')
                    {
                        next = value;
                    }
                }
            }
        }
        else if (header.Length >= 3 && header[0] == "1"
                 && uint.TryParse(header[1], NumberStyles.None, CultureInfo.InvariantCulture, out validity)
                 && uint.TryParse(header[2], NumberStyles.None, CultureInfo.InvariantCulture, out next))
        {
            version = 1;
        }
        else
        {
            return null;
        }

        if (validity == 0)
        {
            return null;
        }

        var byKey = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (string line in lines.Skip(1))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !uint.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) || uid == 0)
            {
                continue;
            }

            // Version 3: "<uid> [<ext fields>] :<base name>"; version 1: "<uid> <base name>".
            string? name = version == 3
                ? (line.IndexOf(" :", space, StringComparison.Ordinal) is int colon and >= 0 ? line[(colon + 2)..] : null)
                : line[(space + 1)..].Trim();
            if (!string.IsNullOrEmpty(name))
            {
                byKey[MaildirFileName.KeyOf(name)] = uid;
                next = Math.Max(next, uid + 1);
            }
        }

        return new MaildirForeignUids("dovecot", validity, next, byKey, FromFileNames: false);
    }

    public static MaildirForeignUids? ReadMailutils(string directory)
    {
        var properties = MailutilsProperties.Read(directory);
        return properties.UidValidity == 0
            ? null
            : new MaildirForeignUids("mailutils", properties.UidValidity, Math.Max(properties.UidNext, 1), new Dictionary<string, uint>(), FromFileNames: true);
    }
}
