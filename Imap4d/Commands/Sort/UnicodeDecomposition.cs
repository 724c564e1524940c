using System.Text;

namespace Imap4d.Commands.Sort;

/// <summary>
/// NFKD (compatibility decomposition) of text, from a table made with Python's unicodedata
/// (make-decompositions.py): the server runs with invariant globalization, where
/// <see cref="string.Normalize()"/> leaves text as it is. Characters are decomposed one by one
/// (combining marks keep their order; <see cref="UnicodeCasemap"/> then puts them in canonical
/// order with <see cref="Protocol.UnicodeNormalization.CanonicalOrder"/>).
/// </summary>
internal static class UnicodeDecomposition
{
    private const int HangulFirst = 0xAC00;
    private const int HangulLast = 0xD7A3;

    private static readonly Lazy<Dictionary<int, string>> Table = new(Load);

    public static string Decompose(string text)
    {
        var table = Table.Value;
        StringBuilder? result = null;
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            int width = 1;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                width = 2;
            }

            string? replacement = null;
            if (cp is >= HangulFirst and <= HangulLast)
            {
                replacement = Hangul(cp);
            }
            else if (cp >= 0x80)
            {
                table.TryGetValue(cp, out replacement);
            }

            if (replacement is not null)
            {
                result ??= new StringBuilder(text, 0, i, text.Length + 8);
                result.Append(replacement);
            }
            else
            {
                result?.Append(text, i, width);
            }

            i += width - 1;
        }

        return result?.ToString() ?? text;
    }

    /// <summary>Unicode §3.12: a precomposed syllable is L V [T].</summary>
    private static string Hangul(int cp)
    {
        int s = cp - HangulFirst;
        char l = (char)(0x1100 + s / (21 * 28));
        char v = (char)(0x1161 + s % (21 * 28) / 28);
        int t = s % 28;
        return t == 0 ? new string([l, v]) : new string([l, v, (char)(0x11A7 + t)]);
    }

    private static Dictionary<int, string> Load()
    {
        var table = new Dictionary<int, string>();
        using var stream = typeof(UnicodeDecomposition).Assembly.GetManifestResourceStream("Imap4d.decompositions.bin");
        if (stream is null)
        {
            return table;
        }

        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        int pos = 0;
        var text = new StringBuilder();
        while (pos + 4 <= data.Length)
        {
            int key = Read24(data, pos);
            int count = data[pos + 3];
            pos += 4;
            text.Clear();
            for (int i = 0; i < count && pos + 3 <= data.Length; i++, pos += 3)
            {
                text.Append(char.ConvertFromUtf32(Read24(data, pos)));
            }

            table[key] = text.ToString();
        }

        return table;
    }

    private static int Read24(ReadOnlySpan<byte> data, int pos) => (data[pos] << 16) | (data[pos + 1] << 8) | data[pos + 2];
}
