using System.Text;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The i;unicode-casemap collation (RFC 5051), which I18NLEVEL=1 (RFC 5255) makes SORT and
/// THREAD use: each character is mapped to its titlecase form, then the text is decomposed
/// (NFKD); two strings compare as the ordinal order of their <see cref="Key"/>s. For ASCII
/// this is i;ascii-casemap (letters upper-cased).
/// </summary>
public static class UnicodeCasemap
{
    public static string Key(string text)
    {
        bool ascii = true;
        bool lower = false;
        foreach (char c in text)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }

            lower |= c is >= 'a' and <= 'z';
        }

        if (ascii)
        {
            return lower ? Ascii(text) : text;
        }

        var title = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            title.Append(Titlecase(c));
        }

        return Decompose(title.ToString());
    }

    private static string Ascii(string text) => string.Create(text.Length, text, static (span, s) =>
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            span[i] = c is >= 'a' and <= 'z' ? (char)(c - 32) : c;
        }
    });

    /// <summary>
    /// Simple titlecase mapping: the upper case, except for the digraph letters whose titlecase
    /// form is their own (DŽ Dž dž → Dž, LJ Lj lj → Lj, NJ Nj nj → Nj, DZ Dz dz → Dz).
    /// </summary>
    private static char Titlecase(char c) => c switch
    {
        >= '\u01C4' and <= '\u01C6' => '\u01C5',
        >= '\u01C7' and <= '\u01C9' => '\u01C8',
        >= '\u01CA' and <= '\u01CC' => '\u01CB',
        >= '\u01F1' and <= '\u01F3' => '\u01F2',
        _ => char.ToUpperInvariant(c),
    };

    /// <summary>NFKD: character by character, then the marks put in canonical order.</summary>
    private static string Decompose(string text) => Protocol.UnicodeNormalization.CanonicalOrder(UnicodeDecomposition.Decompose(text));
}
