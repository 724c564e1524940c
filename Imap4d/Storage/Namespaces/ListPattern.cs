using Imap4d.Protocol;

namespace Imap4d.Storage.Namespaces;

/// <summary>
/// LIST wildcards (RFC 3501 §6.3.8): "*" matches anything, "%" anything but the hierarchy
/// delimiter. Matching is case-sensitive except for the name INBOX.
/// </summary>
public sealed class ListPattern
{
    private readonly string _pattern;
    private readonly char _delimiter;

    public ListPattern(string pattern, char delimiter)
    {
        _pattern = pattern;
        _delimiter = delimiter;
    }

    /// <summary>The part before the first wildcard: every match starts with it.</summary>
    public string LiteralPrefix => _pattern[..IndexOfWildcard()];

    /// <summary>True when the pattern has "*" (matches at any depth).</summary>
    public bool HasStar => _pattern.Contains('*');

    /// <summary>The largest number of hierarchy levels a match can have without "*".</summary>
    public int MaxLevels => _pattern.Count(c => c == _delimiter) + 1;

    public bool Matches(string name)
    {
        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) && _pattern.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase) &&
            _pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return Match(0, "INBOX" + name[5..], "INBOX" + _pattern[5..]);
        }

        return Match(0, name, _pattern) || (NfcForm(name) is { } nfc && Match(0, nfc, _pattern));
    }

    /// <summary>
    /// A name on disk that is not in NFC (made by another program) in its NFC form, which UTF-8
    /// patterns are in (RFC 6855 §3); null when it is the same. Only names with encoded characters
    /// can differ, and only patterns with them can tell.
    /// </summary>
    private string? NfcForm(string name)
    {
        if (!name.Contains('&') || !_pattern.Contains('&') || !ModifiedUtf7.TryDecode(name, out string text))
        {
            return null;
        }

        string nfc = UnicodeNormalization.Nfc(text);
        return ReferenceEquals(nfc, text) ? null : ModifiedUtf7.Encode(nfc);
    }

    /// <summary>
    /// True when some name below <paramref name="folder"/> (folder + delimiter + more) could match,
    /// so a directory walk can skip folders that cannot lead to a match.
    /// </summary>
    public bool MayMatchBelow(string folder)
    {
        string literal = LiteralPrefix;
        return MayMatchBelow(folder + _delimiter, literal) || (NfcForm(folder) is { } nfc && MayMatchBelow(nfc + _delimiter, literal));
    }

    private static bool MayMatchBelow(string probe, string literal)
    {
        return probe.StartsWith(literal, StringComparison.Ordinal) || literal.StartsWith(probe, StringComparison.Ordinal);
    }

    private int IndexOfWildcard()
    {
        int i = _pattern.IndexOfAny(['*', '%']);
        return i < 0 ? _pattern.Length : i;
    }

    /// <summary>Iterative wildcard matching with backtracking over the last "*" or "%".</summary>
    private bool Match(int start, string name, string pattern)
    {
        // The common shapes ("*", "Archive/*", a plain name) without the memo: LIST "" "*" over
        // 500 folders spent a fifth of its time filling one dictionary per name.
        int wildcard = pattern.AsSpan().IndexOfAny('*', '%');
        if (wildcard < 0)
        {
            return name.AsSpan(start).SequenceEqual(pattern);
        }

        if (wildcard == pattern.Length - 1 && pattern[wildcard] == '*')
        {
            return name.AsSpan(start).StartsWith(pattern.AsSpan(0, wildcard));
        }

        // Memoized recursion on (name index, pattern index) keeps hostile patterns polynomial.
        var memo = new Dictionary<(int, int), bool>();
        return Step(start, 0);

        bool Step(int n, int p)
        {
            if (memo.TryGetValue((n, p), out bool known))
            {
                return known;
            }

            bool result;
            if (p == pattern.Length)
            {
                result = n == name.Length;
            }
            else if (pattern[p] == '*')
            {
                result = Step(n, p + 1) || (n < name.Length && Step(n + 1, p));
            }
            else if (pattern[p] == '%')
            {
                result = Step(n, p + 1) || (n < name.Length && name[n] != _delimiter && Step(n + 1, p));
            }
            else
            {
                result = n < name.Length && name[n] == pattern[p] && Step(n + 1, p + 1);
            }

            memo[(n, p)] = result;
            return result;
        }
    }
}
