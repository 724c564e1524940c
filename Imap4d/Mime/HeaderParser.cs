using System.Globalization;

namespace Imap4d.Mime;

/// <summary>Parses header blocks and the MIME structured fields (Content-Type, Content-Disposition, ...).</summary>
public static class HeaderParser
{
    /// <summary>
    /// Splits a header block into fields, keeping each field's raw bytes. Lines starting with a
    /// blank continue the previous field; a line without a colon becomes a field with
    /// <see cref="HeaderField.HasColon"/> false; an empty line ends the header.
    /// </summary>
    public static HeaderBlock Parse(ReadOnlySpan<byte> header, bool truncated = false)
    {
        var fields = new List<HeaderField>();
        int pos = 0;
        int fieldStart = -1;
        while (pos < header.Length)
        {
            int lf = header[pos..].IndexOf((byte)'\n');
            int lineEnd = lf < 0 ? header.Length : pos + lf + 1;
            int contentEnd = lf < 0 ? header.Length : pos + lf;
            if (contentEnd > pos && header[contentEnd - 1] == '\r' && lf >= 0)
            {
                contentEnd--;
            }

            bool continuation = header[pos] is (byte)' ' or (byte)'\t';
            if (contentEnd == pos && !continuation)
            {
                // Empty line: end of the header.
                break;
            }

            if (!continuation || fieldStart < 0)
            {
                if (fieldStart >= 0)
                {
                    fields.Add(MakeField(header[fieldStart..pos]));
                }

                fieldStart = pos;
            }

            pos = lineEnd;
        }

        if (fieldStart >= 0)
        {
            fields.Add(MakeField(header[fieldStart..pos]));
        }

        return new HeaderBlock(fields, truncated);
    }

    private static HeaderField MakeField(ReadOnlySpan<byte> raw)
    {
        int colon = raw.IndexOf((byte)':');
        int lf = raw.IndexOf((byte)'\n');
        if (colon < 0 || (lf >= 0 && colon > lf))
        {
            var text = raw;
            while (text.Length > 0 && text[^1] is (byte)'\r' or (byte)'\n')
            {
                text = text[..^1];
            }

            return new HeaderField(RawText.FromBytes(text), raw.ToArray(), raw.Length, false);
        }

        var name = raw[..colon];
        while (name.Length > 0 && name[^1] is (byte)' ' or (byte)'\t')
        {
            name = name[..^1];
        }

        return new HeaderField(RawText.FromBytes(name), raw.ToArray(), colon + 1, true);
    }

    /// <summary>Parses a Content-Type value; null when it has no valid "type/subtype".</summary>
    public static ContentType? ParseContentType(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var r = new StructuredReader(value);
        r.SkipCfws();
        string type = r.ReadUntil("/;");
        r.SkipCfws();
        if (type.Length == 0 || r.Peek != '/')
        {
            return null;
        }

        r.Pos++;
        r.SkipCfws();
        string subtype = r.ReadUntil(";");
        if (subtype.Length == 0)
        {
            return null;
        }

        return new ContentType(type, subtype, ParseParameters(r));
    }

    /// <summary>Parses a Content-Disposition value; null when empty.</summary>
    public static ContentDisposition? ParseDisposition(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var r = new StructuredReader(value);
        r.SkipCfws();
        string type = r.ReadUntil(";");
        if (type.Length == 0)
        {
            return null;
        }

        return new ContentDisposition(type, ParseParameters(r));
    }

    /// <summary>Parses a Content-Language value: a comma-separated list of tags, comments removed.</summary>
    public static IReadOnlyList<string> ParseLanguage(string? value)
    {
        var list = new List<string>();
        if (value is null)
        {
            return list;
        }

        var r = new StructuredReader(value);
        while (true)
        {
            r.SkipCfws();
            if (r.AtEnd)
            {
                break;
            }

            if (r.Peek == ',')
            {
                r.Pos++;
                continue;
            }

            string tag = r.ReadValue(",");
            if (tag.Length > 0)
            {
                list.Add(tag);
            }
            else
            {
                r.Pos++;
            }
        }

        return list;
    }

    /// <summary>
    /// Parses ";name=value" parameters from the reader's position. RFC 2231 continuations are
    /// joined; plain parameters come first, then the RFC 2231 ones (Dovecot's order).
    /// </summary>
    internal static IReadOnlyList<MimeParameter> ParseParameters(StructuredReader r)
    {
        var plain = new List<MimeParameter>();
        var sections = new List<(string Base, int Index, bool Extended, string Value)>();
        while (true)
        {
            r.SkipCfws();
            if (r.AtEnd)
            {
                break;
            }

            if (r.Peek != ';')
            {
                // Garbage: skip to the next ';'.
                int semi = r.Source.IndexOf(';', r.Pos);
                if (semi < 0)
                {
                    break;
                }

                r.Pos = semi;
            }

            r.Pos++;
            r.SkipCfws();
            string name = r.ReadUntil("=;");
            r.SkipCfws();
            if (name.Length == 0 || r.Peek != '=')
            {
                continue;
            }

            r.Pos++;
            r.SkipCfws();
            string value = r.ReadValue(";");
            int star = name.IndexOf('*');
            if (star <= 0)
            {
                plain.Add(new MimeParameter(name, value));
                continue;
            }

            string baseName = name[..star];
            string rest = name[(star + 1)..];
            bool extended = rest.EndsWith('*') || rest.Length == 0;
            string digits = rest.TrimEnd('*');
            int index = 0;
            if (digits.Length > 0 && !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                plain.Add(new MimeParameter(name, value));
                continue;
            }

            sections.Add((baseName, index, extended, value));
        }

        if (sections.Count == 0)
        {
            return plain;
        }

        var result = new List<MimeParameter>(plain);
        foreach (var group in sections.GroupBy(x => x.Base, StringComparer.OrdinalIgnoreCase))
        {
            var parts = group.OrderBy(x => x.Index).ToList();
            string joined = string.Concat(parts.Select(p => p.Value));
            result.Add(new MimeParameter(parts[0].Extended ? group.Key + "*" : group.Key, joined));
        }

        return result;
    }

    internal static string? FindParameter(IReadOnlyList<MimeParameter> parameters, string name)
    {
        foreach (var p in parameters)
        {
            if (p.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The parameter's value as text: an RFC 2231 extended value (name ending in "*") is
    /// percent-decoded and converted from its charset; any other value is returned as text.
    /// </summary>
    public static string DecodeParameterValue(MimeParameter parameter)
    {
        if (!parameter.Name.EndsWith('*'))
        {
            return RawText.ToText(parameter.Value);
        }

        string v = parameter.Value;
        int q1 = v.IndexOf('\'');
        int q2 = q1 < 0 ? -1 : v.IndexOf('\'', q1 + 1);
        if (q2 < 0)
        {
            return RawText.ToText(v);
        }

        string charset = v[..q1];
        var bytes = new List<byte>();
        for (int i = q2 + 1; i < v.Length; i++)
        {
            if (v[i] == '%' && i + 2 < v.Length && Hex(v[i + 1]) >= 0 && Hex(v[i + 2]) >= 0)
            {
                bytes.Add((byte)((Hex(v[i + 1]) << 4) | Hex(v[i + 2])));
                i += 2;
            }
            else
            {
                bytes.Add((byte)v[i]);
            }
        }

        return Charsets.Decode(charset, bytes.ToArray());
    }

    internal static int Hex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
