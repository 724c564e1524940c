namespace Imap4d.Protocol;

/// <summary>A <c>{n}</c> or <c>{n+}</c> literal announcement at the end of a line; <c>~{n}</c> is a literal8 (RFC 3516).</summary>
public readonly record struct LiteralMarker(long Length, bool NonSynchronizing)
{
    public bool Binary { get; init; }

    /// <summary>Lengths with more digits than this are treated as too large (and never parsed into an overflow).</summary>
    private const int MaxDigits = 18;

    /// <summary>Finds a literal marker ending <paramref name="line"/>; null when there is none.</summary>
    public static LiteralMarker? FindAtEnd(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || line[^1] != '}')
        {
            return null;
        }

        int end = line.Length - 1;
        bool nonSync = line[end - 1] == '+' || line[end - 1] == '-';
        if (nonSync)
        {
            end--;
        }

        int start = end;
        while (start > 0 && line[start - 1] >= '0' && line[start - 1] <= '9')
        {
            start--;
        }

        if (start == end || start == 0 || line[start - 1] != '{')
        {
            return null;
        }

        var digits = line[start..end];
        bool binary = start >= 2 && line[start - 2] == '~';
        if (digits.Length > MaxDigits)
        {
            return new LiteralMarker(long.MaxValue, nonSync) { Binary = binary };
        }

        long value = 0;
        foreach (byte b in digits)
        {
            value = value * 10 + (b - '0');
        }

        return new LiteralMarker(value, nonSync) { Binary = binary };
    }
}
