using System.Globalization;
using System.Text;
using Imap4d.Storage.Index;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// The keyword ↔ letter map of a maildir, kept in Dovecot's <c>dovecot-keywords</c> file
/// (lines <c>&lt;index&gt; &lt;keyword&gt;</c>, index 0 = letter 'a' ... 25 = 'z'), so that
/// Dovecot and imap4d read the same letters the same way. Indices are never reassigned. We give
/// out 'b' to 'z' only: GNU mailutils takes an 'a' for \Answered.
/// </summary>
public sealed class MaildirKeywords
{
    public const string FileName = "dovecot-keywords";
    public const int MaxKeywords = 26;

    private readonly string?[] _names = new string?[MaxKeywords];

    /// <summary>The file as it was when read or written (to notice other writers).</summary>
    public SourceStamp Stamp { get; private set; }

    public IEnumerable<string> Names => _names.Where(n => n is not null)!;

    public string? NameOf(char letter) => letter is >= 'a' and <= 'z' ? _names[letter - 'a'] : null;

    public char? LetterOf(string keyword)
    {
        for (int i = 0; i < MaxKeywords; i++)
        {
            if (_names[i] is { } name && FlagSet.KeywordComparer.Equals(name, keyword))
            {
                return (char)('a' + i);
            }
        }

        return null;
    }

    /// <summary>Reads the map from <paramref name="directory"/>; an absent or unreadable file is an empty map.</summary>
    public static MaildirKeywords Load(string directory)
    {
        var result = new MaildirKeywords();
        string path = Path.Combine(directory, FileName);
        result.Stamp = SourceStamp.Of(path);
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && int.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    && index < MaxKeywords && space + 1 < line.Length)
                {
                    result._names[index] = line[(space + 1)..].Trim();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return result;
    }

    /// <summary>
    /// Gives every keyword in <paramref name="keywords"/> a letter, writing the file (temporary
    /// file + rename) when one was added. False when the 25 letters are used up.
    /// </summary>
    public bool TryAdd(string directory, IEnumerable<string> keywords)
    {
        bool added = false;
        foreach (string keyword in keywords)
        {
            if (LetterOf(keyword) is not null)
            {
                continue;
            }

            // Never letter 'a' (index 0): GNU mailutils reads 'a' as \Answered (its letter before 3.11).
            int free = Array.IndexOf(_names, null, 1);
            if (free < 0)
            {
                return false;
            }

            _names[free] = keyword;
            added = true;
        }

        if (added)
        {
            var text = new StringBuilder();
            for (int i = 0; i < MaxKeywords; i++)
            {
                if (_names[i] is { } name)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{i} {name}\n");
                }
            }

            string path = Path.Combine(directory, FileName);
            MaildirFiles.WriteAtomically(path, Encoding.UTF8.GetBytes(text.ToString()));
            Stamp = SourceStamp.Of(path);
        }

        return true;
    }
}
