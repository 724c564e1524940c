namespace Imap4d.Commands.Sort;

/// <summary>
/// A collation (RFC 4790) SORT and THREAD compare strings with: each string becomes a key and
/// keys compare ordinally. RFC 5255 §4.7 COMPARATOR chooses one for the session;
/// i;unicode-casemap (RFC 5051) is the default, as I18NLEVEL=1 asks. i;octet compares UTF-16
/// code units, which orders as UTF-8 octets do except for characters above U+FFFF against
/// U+E000..U+FFFF.
/// </summary>
public sealed class Collation
{
    public static readonly Collation UnicodeCasemap = new("i;unicode-casemap", Sort.UnicodeCasemap.Key);

    public static readonly Collation AsciiCasemap = new("i;ascii-casemap", AsciiUpper);

    public static readonly Collation Octet = new("i;octet", static text => text);

    public static Collation Default => UnicodeCasemap;

    /// <summary>Every collation this server has, in the order COMPARATOR lists matches.</summary>
    public static IReadOnlyList<Collation> All { get; } = [UnicodeCasemap, AsciiCasemap, Octet];

    private readonly Func<string, string> _key;

    private Collation(string name, Func<string, string> key)
    {
        Name = name;
        _key = key;
    }

    public string Name { get; }

    public string Key(string text) => _key(text);

    /// <summary>
    /// The collations an RFC 4790 collation-order argument names: "default", a name, or a
    /// pattern where "*" stands for any characters (names compare case-insensitively).
    /// </summary>
    public static IReadOnlyList<Collation> Matching(string pattern)
    {
        if (pattern.Equals("default", StringComparison.OrdinalIgnoreCase))
        {
            return [Default];
        }

        return All.Where(c => WildcardMatch(pattern.ToLowerInvariant(), c.Name)).ToList();
    }

    private static bool WildcardMatch(string pattern, string name)
    {
        int star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern == name;
        }

        if (!name.StartsWith(pattern[..star], StringComparison.Ordinal))
        {
            return false;
        }

        string rest = pattern[(star + 1)..];
        for (int i = star; i <= name.Length; i++)
        {
            if (WildcardMatch(rest, name[i..]))
            {
                return true;
            }
        }

        return false;
    }

    private static string AsciiUpper(string text) => string.Create(text.Length, text, static (span, s) =>
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            span[i] = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
        }
    });
}
