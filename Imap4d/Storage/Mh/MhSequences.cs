using System.Text;

namespace Imap4d.Storage.Mh;

/// <summary>
/// The contents of an MH <c>.mh_sequences</c> file (mh-sequence(5)): lines <c>name: 1-3 7 9-12</c>,
/// read like header fields (a line starting with white space continues the previous one).
/// Lines are kept in their order; a sequence that is not changed is written back exactly as it
/// was read, and so is any line that is not a sequence. A changed sequence is written as
/// <c>name: ranges</c>; a sequence that becomes empty is removed, as nmh does.
/// </summary>
public sealed class MhSequences
{
    private readonly List<Entry> _entries = [];

    /// <summary>Sequence names in file order.</summary>
    public IEnumerable<string> Names => _entries.Where(e => e.Name is not null).Select(e => e.Name!);

    public static MhSequences Parse(string text)
    {
        var result = new MhSequences();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[count - 1].Length == 0)
        {
            count--;
        }

        for (int i = 0; i < count; i++)
        {
            string raw = lines[i];
            while (i + 1 < count && lines[i + 1].Length > 0 && (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t'))
            {
                raw += "\n" + lines[++i];
            }

            result._entries.Add(ParseEntry(raw));
        }

        return result;
    }

    public static MhSequences Parse(byte[] bytes) => Parse(Encoding.UTF8.GetString(bytes));

    /// <summary>True when <paramref name="name"/> is a sequence nmh accepts: a letter, then letters and digits.</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);

    public bool Contains(string name) => Find(name) is not null;

    /// <summary>The message numbers of a sequence (empty when it does not exist). Do not modify.</summary>
    public IReadOnlySet<int> Get(string name) => (IReadOnlySet<int>?)Find(name)?.Numbers ?? new HashSet<int>();

    /// <summary>The name as spelled in the file of a sequence matching <paramref name="name"/> case-insensitively.</summary>
    public string? FindIgnoreCase(string name) =>
        _entries.FirstOrDefault(e => e.Name is not null && string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))?.Name;

    /// <summary>Adds or removes one number; returns true when the sequence changed.</summary>
    public bool Set(string name, int number, bool member)
    {
        var entry = Find(name);
        if (entry is null)
        {
            if (!member)
            {
                return false;
            }

            entry = new Entry(name, [], null);
            _entries.Add(entry);
        }

        bool changed = member ? entry.Numbers!.Add(number) : entry.Numbers!.Remove(number);
        if (changed)
        {
            entry.Raw = null;
        }

        return changed;
    }

    /// <summary>Removes <paramref name="numbers"/> from every sequence except those in <paramref name="except"/>.</summary>
    public bool RemoveEverywhere(IReadOnlyCollection<int> numbers, params string[] except)
    {
        bool changed = false;
        foreach (var entry in _entries.Where(e => e.Name is not null && !except.Contains(e.Name)))
        {
            int before = entry.Numbers!.Count;
            entry.Numbers.ExceptWith(numbers);
            if (entry.Numbers.Count != before)
            {
                entry.Raw = null;
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>The file text: untouched lines as read, changed sequences re-rendered, empty changed ones dropped.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var entry in _entries)
        {
            if (entry.Raw is not null)
            {
                text.Append(entry.Raw).Append('\n');
            }
            else if (entry.Numbers!.Count > 0)
            {
                text.Append(entry.Name).Append(": ").Append(FormatRanges(entry.Numbers)).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string FormatRanges(IEnumerable<int> numbers)
    {
        var sorted = numbers.Distinct().Order().ToList();
        var text = new StringBuilder();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(sorted[i]);
            if (j > i)
            {
                text.Append('-').Append(sorted[j]);
            }

            i = j + 1;
        }

        return text.ToString();
    }

    private Entry? Find(string name) => _entries.FirstOrDefault(e => e.Name == name);

    private static Entry ParseEntry(string raw)
    {
        int colon = raw.IndexOf(':');
        if (colon <= 0)
        {
            return new Entry(null, null, raw);
        }

        string name = raw[..colon].Trim();
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c)))
        {
            return new Entry(null, null, raw);
        }

        var numbers = new HashSet<int>();
        foreach (string token in raw[(colon + 1)..].Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = token.IndexOf('-');
            if (dash < 0)
            {
                if (int.TryParse(token, out int single) && single > 0)
                {
                    numbers.Add(single);
                }
            }
            else if (int.TryParse(token[..dash], out int low) && int.TryParse(token[(dash + 1)..], out int high)
                     && low > 0 && high >= low && high - low < 10_000_000)
            {
                for (int n = low; n <= high; n++)
                {
                    numbers.Add(n);
                }
            }
        }

        return new Entry(name, numbers, raw);
    }

    private sealed class Entry(string? name, HashSet<int>? numbers, string? raw)
    {
        /// <summary>Null for a line that is not a sequence (kept verbatim).</summary>
        public string? Name { get; } = name;

        public HashSet<int>? Numbers { get; } = numbers;

        /// <summary>The text as read; null once the sequence changed (then it is rendered).</summary>
        public string? Raw { get; set; } = raw;
    }
}
