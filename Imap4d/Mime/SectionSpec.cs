using System.Globalization;
using System.Text;

namespace Imap4d.Mime;

/// <summary>A parsed FETCH section: part numbers, section-text and (for HEADER.FIELDS) field names.</summary>
public sealed record SectionSpec(IReadOnlyList<int> Part, SectionKind Kind, IReadOnlyList<string> Fields)
{
    public static readonly SectionSpec Whole = new([], SectionKind.Full, []);

    /// <summary>
    /// Parses the text between "[" and "]": "", "1.2", "HEADER", "1.HEADER.FIELDS (A B)",
    /// "HEADER.FIELDS.NOT (A)", "TEXT", "1.MIME". Case-insensitive.
    /// </summary>
    public static bool TryParse(string text, out SectionSpec spec)
    {
        spec = Whole;
        var parts = new List<int>();
        int pos = 0;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            int start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }

            // nz-number: a 32-bit unsigned number without leading zeros; numbers past
            // int.MaxValue are valid syntax but name no part.
            if (text[start] == '0' ||
                !uint.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
            {
                return false;
            }

            parts.Add((int)Math.Min(n, int.MaxValue));
            if (pos == text.Length)
            {
                break;
            }

            if (text[pos] != '.')
            {
                return false;
            }

            pos++;
            if (pos == text.Length)
            {
                return false;
            }
        }

        string rest = text[pos..];
        if (rest.Length == 0)
        {
            spec = new SectionSpec(parts, SectionKind.Full, []);
            return true;
        }

        if (rest.Equals("HEADER", StringComparison.OrdinalIgnoreCase))
        {
            spec = new SectionSpec(parts, SectionKind.Header, []);
            return true;
        }

        if (rest.Equals("TEXT", StringComparison.OrdinalIgnoreCase))
        {
            spec = new SectionSpec(parts, SectionKind.Text, []);
            return true;
        }

        if (rest.Equals("MIME", StringComparison.OrdinalIgnoreCase))
        {
            if (parts.Count == 0)
            {
                return false;
            }

            spec = new SectionSpec(parts, SectionKind.Mime, []);
            return true;
        }

        SectionKind kind;
        string list;
        const string Fields = "HEADER.FIELDS ";
        const string FieldsNot = "HEADER.FIELDS.NOT ";
        if (rest.StartsWith(FieldsNot, StringComparison.OrdinalIgnoreCase))
        {
            kind = SectionKind.HeaderFieldsNot;
            list = rest[FieldsNot.Length..];
        }
        else if (rest.StartsWith(Fields, StringComparison.OrdinalIgnoreCase))
        {
            kind = SectionKind.HeaderFields;
            list = rest[Fields.Length..];
        }
        else
        {
            return false;
        }

        var names = ParseFieldList(list.Trim());
        if (names is null || names.Count == 0)
        {
            return false;
        }

        spec = new SectionSpec(parts, kind, names);
        return true;
    }

    private static List<string>? ParseFieldList(string s)
    {
        if (s.Length < 2 || s[0] != '(' || s[^1] != ')')
        {
            return null;
        }

        var names = new List<string>();
        int i = 1;
        int end = s.Length - 1;
        while (i < end)
        {
            if (s[i] == ' ')
            {
                i++;
                continue;
            }

            var sb = new StringBuilder();
            if (s[i] == '"')
            {
                i++;
                while (i < end && s[i] != '"')
                {
                    if (s[i] == '\\' && i + 1 < end)
                    {
                        i++;
                    }

                    sb.Append(s[i++]);
                }

                if (i >= end)
                {
                    return null;
                }

                i++;
            }
            else
            {
                while (i < end && s[i] != ' ')
                {
                    char c = s[i++];
                    if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '"' or '\\' or ']' or '%' or '*')
                    {
                        return null;
                    }

                    sb.Append(c);
                }
            }

            if (sb.Length == 0)
            {
                return null;
            }

            names.Add(sb.ToString());
        }

        return names;
    }

    /// <summary>
    /// Parses a partial "&lt;offset.count&gt;" (RFC 3501 §6.4.5, §9: "&lt;" number "." nz-number
    /// "&gt;", both 32-bit unsigned).
    /// </summary>
    public static bool TryParsePartial(string text, out long offset, out long count)
    {
        offset = 0;
        count = 0;
        if (text.Length < 5 || text[0] != '<' || text[^1] != '>')
        {
            return false;
        }

        var body = text.AsSpan(1, text.Length - 2);
        int dot = body.IndexOf('.');
        if (dot <= 0 || dot == body.Length - 1)
        {
            return false;
        }

        // Numbers past 32 bits are clamped (GNU imap4d and Dovecot answer them; the window is cut to the data anyway).
        if (!TryParseClamped(body[..dot], out offset) || !TryParseClamped(body[(dot + 1)..], out count) || body[dot + 1] == '0')
        {
            return false;
        }

        return true;
    }

    /// <summary>ASCII digits as a number, at most <see cref="uint.MaxValue"/> (larger values are clamped to it).</summary>
    private static bool TryParseClamped(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = Math.Min(value * 10 + (c - '0'), uint.MaxValue);
        }

        return true;
    }

    /// <summary>The canonical text for the FETCH response: upper-case keywords, field names as given.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(string.Join('.', Part));
        string? text = Kind switch
        {
            SectionKind.Header => "HEADER",
            SectionKind.HeaderFields => "HEADER.FIELDS",
            SectionKind.HeaderFieldsNot => "HEADER.FIELDS.NOT",
            SectionKind.Text => "TEXT",
            SectionKind.Mime => "MIME",
            _ => null,
        };
        if (text is not null)
        {
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            sb.Append(text);
        }

        if (Kind is SectionKind.HeaderFields or SectionKind.HeaderFieldsNot)
        {
            sb.Append(" (").Append(string.Join(' ', Fields.Select(Quote))).Append(')');
        }

        return sb.ToString();
    }

    private static string Quote(string name)
    {
        foreach (char c in name)
        {
            if (c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            }
        }

        return name;
    }
}
