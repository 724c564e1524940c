using System.Text;

namespace Imap4d.Protocol;

/// <summary>
/// Unicode normalization forms NFC and NFD (UAX #15) from tables made with Python's unicodedata
/// (make-normalization.py): the server runs with invariant globalization, where
/// <see cref="string.Normalize()"/> returns its input unchanged. RFC 6855 §3 and RFC 9051 want
/// UTF-8 mailbox names in NFC. Text that is already normalized (all ASCII, or passing the quick
/// check) comes back as the same instance without being copied.
/// </summary>
public static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, SCount = LCount * VCount * TCount;

    private static readonly Lazy<NormalizationTables> Tables = new(NormalizationTables.Load);

    /// <summary>The Unicode version of the tables (Python's unicodedata.unidata_version when they were made).</summary>
    public static string UnicodeVersion => Tables.Value.Version;

    /// <summary>Canonical decomposition followed by canonical composition.</summary>
    public static string Nfc(string text)
    {
        // Nothing below U+0300 decomposes in NFC or combines with what precedes it.
        if (AllBelow(text, 0x300))
        {
            return text;
        }

        var tables = Tables.Value;
        if (QuickCheckYes(text, tables))
        {
            return text;
        }

        var points = Decompose(text, tables);
        Compose(points, tables);
        return Build(points, text);
    }

    /// <summary>Canonical decomposition, combining marks in canonical order.</summary>
    public static string Nfd(string text)
    {
        // À (U+00C0) is the first character with a decomposition.
        return AllBelow(text, 0xC0) ? text : Build(Decompose(text, Tables.Value), text);
    }

    public static bool IsNfc(string text) => ReferenceEquals(Nfc(text), text);

    /// <summary>
    /// Puts each run of combining marks into canonical order (by combining class, stable), the
    /// last step of a decomposition that was made character by character.
    /// </summary>
    public static string CanonicalOrder(string text)
    {
        if (AllBelow(text, 0x300))
        {
            return text;
        }

        var tables = Tables.Value;
        var points = new List<int>(text.Length);
        foreach (int cp in CodePoints(text))
        {
            AppendOrdered(points, cp, tables);
        }

        return Build(points, text);
    }

    private static bool AllBelow(string text, int limit)
    {
        foreach (char c in text)
        {
            if (c >= limit)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// UAX #15 §9: Yes when the text is surely NFC (no character that NFC never keeps, marks in
    /// canonical order, no character that might combine with its predecessor).
    /// </summary>
    private static bool QuickCheckYes(string text, NormalizationTables tables)
    {
        int lastClass = 0;
        foreach (int cp in CodePoints(text))
        {
            if (cp < 0x300)
            {
                lastClass = 0;
                continue;
            }

            int cls = tables.CombiningClass(cp);
            if (cls != 0 && lastClass > cls)
            {
                return false;
            }

            if (tables.NfcNo.Contains(cp) || tables.NfcMaybe.Contains(cp) || IsHangulVowelOrTrailing(cp))
            {
                return false;
            }

            lastClass = cls;
        }

        return true;
    }

    private static List<int> Decompose(string text, NormalizationTables tables)
    {
        var points = new List<int>(text.Length + 8);
        foreach (int cp in CodePoints(text))
        {
            if (cp is >= SBase and < SBase + SCount)
            {
                int s = cp - SBase;
                points.Add(LBase + s / (VCount * TCount));
                points.Add(VBase + s % (VCount * TCount) / TCount);
                if (s % TCount != 0)
                {
                    points.Add(TBase + s % TCount);
                }
            }
            else if (tables.Decompositions.TryGetValue(cp, out int[]? parts))
            {
                foreach (int part in parts)
                {
                    AppendOrdered(points, part, tables);
                }
            }
            else
            {
                AppendOrdered(points, cp, tables);
            }
        }

        return points;
    }

    /// <summary>Appends, moving a combining mark back past marks of a higher class.</summary>
    private static void AppendOrdered(List<int> points, int cp, NormalizationTables tables)
    {
        points.Add(cp);
        int cls = cp < 0x300 ? 0 : tables.CombiningClass(cp);
        if (cls == 0)
        {
            return;
        }

        int i = points.Count - 1;
        while (i > 0 && tables.CombiningClass(points[i - 1]) > cls)
        {
            points[i] = points[i - 1];
            i--;
        }

        points[i] = cp;
    }

    /// <summary>
    /// UAX #15 canonical composition, in place: each character joins the last starter when no
    /// character between them is a starter or has a class as high as its own.
    /// </summary>
    private static void Compose(List<int> points, NormalizationTables tables)
    {
        if (points.Count == 0)
        {
            return;
        }

        int starterAt = 0;
        int starter = points[0];
        int lastClass = tables.CombiningClass(starter) == 0 ? 0 : 256; // a leading mark has no starter
        int written = 1;
        for (int i = 1; i < points.Count; i++)
        {
            int cp = points[i];
            int cls = tables.CombiningClass(cp);
            if ((lastClass < cls || lastClass == 0) && TryCompose(starter, cp, tables, out int composite))
            {
                points[starterAt] = composite;
                starter = composite;
                continue;
            }

            if (cls == 0)
            {
                starterAt = written;
                starter = cp;
            }

            lastClass = cls;
            points[written++] = cp;
        }

        points.RemoveRange(written, points.Count - written);
    }

    private static bool TryCompose(int first, int second, NormalizationTables tables, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + (second - VBase)) * TCount;
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }

        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private static bool IsHangulVowelOrTrailing(int cp) =>
        cp is >= VBase and < VBase + VCount or > TBase and < TBase + TCount;

    /// <summary>Code points of the text; a lone surrogate stands for itself.</summary>
    private static IEnumerable<int> CodePoints(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return char.ConvertToUtf32(c, text[++i]);
            }
            else
            {
                yield return c;
            }
        }
    }

    /// <summary>The text of the code points; the original instance when nothing changed.</summary>
    private static string Build(List<int> points, string original)
    {
        var result = new StringBuilder(points.Count + 4);
        foreach (int cp in points)
        {
            if (cp > 0xFFFF)
            {
                result.Append(char.ConvertFromUtf32(cp));
            }
            else
            {
                result.Append((char)cp);
            }
        }

        string text = result.ToString();
        return text == original ? original : text;
    }

    private sealed class NormalizationTables
    {
        public string Version { get; private init; } = "";

        public Dictionary<int, byte> Classes { get; } = new();

        public Dictionary<int, int[]> Decompositions { get; } = new();

        /// <summary>Primary composites by (first &lt;&lt; 21 | second).</summary>
        public Dictionary<long, int> Compositions { get; } = new();

        /// <summary>NFC_Quick_Check=No: characters with a decomposition that is never recomposed.</summary>
        public HashSet<int> NfcNo { get; } = new();

        /// <summary>NFC_Quick_Check=Maybe: characters that may combine with the one before (Hangul jamo aside).</summary>
        public HashSet<int> NfcMaybe { get; } = new();

        public int CombiningClass(int cp) => cp >= 0x300 && Classes.TryGetValue(cp, out byte cls) ? cls : 0;

        public static NormalizationTables Load()
        {
            using var stream = typeof(UnicodeNormalization).Assembly.GetManifestResourceStream("Imap4d.normalization.bin")
                ?? throw new InvalidOperationException("normalization.bin is not embedded");
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            ReadOnlySpan<byte> data = memory.GetBuffer().AsSpan(0, (int)memory.Length);

            int pos = 1 + data[0];
            var tables = new NormalizationTables { Version = Encoding.ASCII.GetString(data.Slice(1, data[0])) };
            int count = Read24(data, ref pos);
            for (int i = 0; i < count; i++)
            {
                int cp = Read24(data, ref pos);
                tables.Classes[cp] = data[pos++];
            }

            count = Read24(data, ref pos);
            for (int i = 0; i < count; i++)
            {
                int cp = Read24(data, ref pos);
                var parts = new int[data[pos++]];
                for (int j = 0; j < parts.Length; j++)
                {
                    parts[j] = Read24(data, ref pos);
                }

                tables.Decompositions[cp] = parts;
            }

            count = Read24(data, ref pos);
            var composites = new HashSet<int>();
            for (int i = 0; i < count; i++)
            {
                int first = Read24(data, ref pos);
                int second = Read24(data, ref pos);
                int composite = Read24(data, ref pos);
                tables.Compositions[((long)first << 21) | (uint)second] = composite;
                tables.NfcMaybe.Add(second);
                composites.Add(composite);
            }

            foreach (int cp in tables.Decompositions.Keys)
            {
                if (!composites.Contains(cp))
                {
                    tables.NfcNo.Add(cp);
                }
            }

            return tables;
        }

        private static int Read24(ReadOnlySpan<byte> data, ref int pos)
        {
            int value = (data[pos] << 16) | (data[pos + 1] << 8) | data[pos + 2];
            pos += 3;
            return value;
        }
    }
}
