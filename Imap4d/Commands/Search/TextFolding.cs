namespace Imap4d.Commands.Search;

/// <summary>
/// Culture-invariant case folding for SEARCH: each UTF-16 unit is mapped through upper then
/// lower case (Unicode simple mappings), so that e.g. "K" (Kelvin), "k" and "K" meet, as do
/// "ς", "σ" and "Σ". Full foldings that change the length ("ß" → "ss") are not applied.
/// </summary>
public static class TextFolding
{
    public static string Fold(string text)
    {
        int i = 0;
        while (i < text.Length && FoldChar(text[i]) == text[i])
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, s) =>
        {
            s.AsSpan().CopyTo(span);
            FoldInPlace(span);
        });
    }

    public static void FoldInPlace(Span<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = FoldChar(text[i]);
        }
    }

    private static char FoldChar(char c)
    {
        if (c < 0x80)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
        }

        return char.ToLowerInvariant(char.ToUpperInvariant(c));
    }
}
