using System.Globalization;
using System.Text;

namespace Imap4d.Storage;

/// <summary>
/// GNU mailutils' <c>.mu-prop</c> file in a maildir or MH folder: <c>name: value</c> lines, of
/// which mailutils reads <c>uid-validity</c>, <c>uidnext</c> and (maildir) <c>version</c>. We keep
/// it saying our UIDVALIDITY and UIDNEXT so that GNU imap4d, opening the same folder, answers
/// with the same ones (without the file it makes up its own UIDVALIDITY).
/// </summary>
public sealed record MailutilsProperties(uint UidValidity, uint UidNext, bool Exists)
{
    public const string FileName = ".mu-prop";

    /// <summary>
    /// The mailutils release whose maildir flag letters are ours (D F P R S T). A <c>.mu-prop</c>
    /// without a version, or with 3.10 or older, makes mailutils convert the letters of its older
    /// releases (S = old, R = read, a = answered), which would change our flags.
    /// </summary>
    public const string Version = "3.15";

    public static MailutilsProperties Read(string directory)
    {
        uint validity = 0;
        uint next = 0;
        try
        {
            foreach (string line in File.ReadLines(Path.Combine(directory, FileName)))
            {
                var (name, value) = Split(line);
                if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
                {
                    continue;
                }

                if (name == "uid-validity")
                {
                    validity = number;
                }
                else if (name is "uidnext" or "next-uid")
                {
                    next = number;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new MailutilsProperties(0, 0, File.Exists(Path.Combine(directory, FileName)));
        }

        return new MailutilsProperties(validity, next, true);
    }

    /// <summary>
    /// Makes the file say <paramref name="uidValidity"/> and <paramref name="uidNext"/>, keeping
    /// every other line (temporary file + rename). A new file also gets <see cref="Version"/>; an
    /// existing one without it is left without, so mailutils still converts its older letters.
    /// Returns false when nothing needed writing.
    /// </summary>
    public static bool Write(string directory, uint uidValidity, uint uidNext)
    {
        string path = Path.Combine(directory, FileName);
        List<string> lines;
        bool exists;
        try
        {
            lines = [.. File.ReadLines(path)];
            exists = true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            lines = [];
            exists = false;
        }

        string validityText = uidValidity.ToString(CultureInfo.InvariantCulture);
        string nextText = uidNext.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        bool validityDone = false;
        bool nextDone = false;
        bool changed = !exists;
        foreach (string line in lines)
        {
            var (name, value) = Split(line);
            string? wanted = name switch
            {
                "uid-validity" => validityText,
                "uidnext" => nextText,
                _ => null,
            };
            if (wanted is null)
            {
                text.Append(line).Append('\n');
                continue;
            }

            if ((name == "uid-validity" ? validityDone : nextDone) || value != wanted)
            {
                changed = true;
            }

            if (!(name == "uid-validity" ? validityDone : nextDone))
            {
                text.Append(name).Append(": ").Append(wanted).Append('\n');
            }

            validityDone |= name == "uid-validity";
            nextDone |= name == "uidnext";
        }

        if (!nextDone)
        {
            text.Append("uidnext: ").Append(nextText).Append('\n');
            changed = true;
        }

        if (!exists)
        {
            text.Append("version: ").Append(Version).Append('\n');
        }

        if (!validityDone)
        {
            text.Append("uid-validity: ").Append(validityText).Append('\n');
            changed = true;
        }

        if (!changed)
        {
            return false;
        }

        Maildir.MaildirFiles.WriteAtomically(path, Encoding.UTF8.GetBytes(text.ToString()));
        return true;
    }

    private static (string Name, string Value) Split(string line)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (string.Empty, string.Empty) : (line[..colon].Trim(), line[(colon + 1)..].Trim());
    }
}
