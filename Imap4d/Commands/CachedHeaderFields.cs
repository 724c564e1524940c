using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Imap4d.Mime;
using Imap4d.Storage;
using Imap4d.Storage.Index;

namespace Imap4d.Commands;

/// <summary>
/// The header fields mail clients fetch for message lists and search most, kept per message in
/// the FETCH cache (<see cref="FetchCacheItem.HeaderFields"/>): one byte (1 when a header fetch
/// ends with an empty line, see <see cref="HasBlankLine"/>), then every field of the message
/// whose name is in <see cref="Names"/>, exactly as stored and in order. A BODY[HEADER.FIELDS]
/// fetch of these names, or a SEARCH key on one of them, is then answered without opening the
/// message: filtering these fields gives what filtering the whole header gives.
/// </summary>
internal static class CachedHeaderFields
{
    /// <summary>What Thunderbird, Apple Mail, Evolution, K-9 and Roundcube ask for in message lists, and the SEARCH address keys.</summary>
    public static readonly FrozenSet<string> Names = new[]
    {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To",
        "Sender", "Content-Type", "MIME-Version", "Priority", "X-Priority", "Importance", "Newsgroups",
        "List-Id", "List-Post", "X-Mailer", "User-Agent", "Delivered-To", "Return-Path",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when every one of <paramref name="names"/> is kept.</summary>
    public static bool Covers(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            if (!Names.Contains(name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// RFC 3501 §6.4.5: a header fetch ends with the empty line "except in the case of a message
    /// which has no body and no blank line" — <paramref name="header"/> as read (through the
    /// empty line when there is one) out of a message of <paramref name="size"/> bytes.
    /// </summary>
    public static bool HasBlankLine(ReadOnlySpan<byte> header, long size)
    {
        if (header.Length < size)
        {
            return true;
        }

        var h = header;
        if (h.Length == 0 || h[^1] != '\n')
        {
            return false;
        }

        h = h[..^1];
        if (h.Length > 0 && h[^1] == '\r')
        {
            h = h[..^1];
        }

        return h.Length == 0 || h[^1] == '\n';
    }

    /// <summary>Caches the fields of a header just read (unless cached, or the header was cut short).</summary>
    public static void Remember(FetchCache? cache, MessageInfo message, HeaderBlock header, bool blankLine)
    {
        if (cache is null || header.Truncated || cache.Contains(message, FetchCacheItem.HeaderFields))
        {
            return;
        }

        cache.Put(message, FetchCacheItem.HeaderFields, Block(header, blankLine));
    }

    /// <summary>What <see cref="Remember"/> caches for a header (not truncated), for callers that write many at once.</summary>
    public static byte[] Block(HeaderBlock header, bool blankLine)
    {
        using var bytes = new MemoryStream();
        bytes.WriteByte(blankLine ? (byte)1 : (byte)0);
        foreach (var field in header.Fields)
        {
            if (field.HasColon && Names.Contains(field.Name))
            {
                bytes.Write(field.Raw);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>
    /// The cached fields of a message as stored (the blank-line byte first, see the class
    /// summary), unparsed; false when they are not cached.
    /// </summary>
    public static bool TryGetRaw(FetchCache? cache, MessageInfo message, out byte[] bytes)
    {
        if (cache is null || !cache.TryGet(message, FetchCacheItem.HeaderFields, out bytes) || bytes.Length == 0)
        {
            bytes = [];
            return false;
        }

        return true;
    }

    /// <summary>
    /// The fields named <paramref name="name"/> (an ASCII name) of a block <see cref="TryGetRaw"/>
    /// gave, parsed as <see cref="HeaderParser.Parse"/> parses the whole block (same field
    /// boundaries, same name rule): a SEARCH key on one field parses that field, not all of them.
    /// </summary>
    public static HeaderBlock FieldsNamed(byte[] raw, string name)
    {
        var block = raw.AsSpan(1);
        var joined = new List<byte>();
        int pos = 0;
        while (NextField(block, ref pos, out int start, out var fieldName))
        {
            if (Ascii.EqualsIgnoreCase(fieldName, name))
            {
                joined.AddRange(block[start..pos]);
            }
        }

        return joined.Count == 0 ? HeaderBlock.Empty : HeaderParser.Parse(joined.ToArray());
    }

    /// <summary>As <see cref="FieldsNamed(byte[], string)"/>, for several names in one pass over the block.</summary>
    public static HeaderBlock FieldsNamed(byte[] raw, IReadOnlyList<string> names)
    {
        var block = raw.AsSpan(1);
        var joined = new List<byte>();
        int pos = 0;
        while (NextField(block, ref pos, out int start, out var fieldName))
        {
            if (IsAnyOf(fieldName, names))
            {
                joined.AddRange(block[start..pos]);
            }
        }

        return joined.Count == 0 ? HeaderBlock.Empty : HeaderParser.Parse(joined.ToArray());
    }

    /// <summary>
    /// The value of the first field named <c>names[i]</c> in a block <see cref="TryGetRaw"/> gave,
    /// unfolded as <see cref="HeaderField.Value"/> gives it, or null; without parsing the block.
    /// </summary>
    public static string?[] FirstValues(byte[] raw, IReadOnlyList<string> names)
    {
        var values = new string?[names.Count];
        var block = raw.AsSpan(1);
        int pos = 0;
        while (NextField(block, ref pos, out int start, out var fieldName))
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (values[i] is null && Ascii.EqualsIgnoreCase(fieldName, names[i]))
                {
                    var field = block[start..pos];
                    values[i] = Unfold(field[(field.IndexOf((byte)':') + 1)..]);
                    break;
                }
            }
        }

        return values;
    }

    /// <summary>CR and LF removed, leading blanks removed, one char per byte (as <see cref="HeaderField.Value"/>).</summary>
    private static string Unfold(ReadOnlySpan<byte> value)
    {
        Span<char> chars = value.Length <= 512 ? stackalloc char[value.Length] : new char[value.Length];
        int n = 0;
        foreach (byte b in value)
        {
            if (b == '\r' || b == '\n' || (n == 0 && (b == ' ' || b == '\t')))
            {
                continue;
            }

            chars[n++] = (char)b;
        }

        return new string(chars[..n]);
    }

    /// <summary>
    /// BODY[HEADER.FIELDS (names)] from a block <see cref="TryGetRaw"/> gave, without parsing it:
    /// the bytes <see cref="SectionLocator.FilterHeader"/> gives for the parsed block (every one
    /// of <paramref name="names"/> is among <see cref="Names"/>).
    /// </summary>
    public static byte[] Filter(byte[] raw, IReadOnlyList<string> names)
    {
        // One pooled buffer and one exact copy per message (a MemoryStream and an enumerator per
        // field were most of a FETCH of these fields from the cache).
        var block = raw.AsSpan(1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(block.Length + 2);
        int length = 0;
        bool crlf = true;
        int pos = 0;
        while (NextField(block, ref pos, out int start, out var fieldName))
        {
            if (!IsAnyOf(fieldName, names))
            {
                continue;
            }

            var field = block[start..pos];
            field.CopyTo(buffer.AsSpan(length));
            length += field.Length;
            if (field.Length > 0 && field[^1] == '\n')
            {
                crlf = field.Length >= 2 && field[^2] == '\r';
            }
        }

        if (raw[0] == 1)
        {
            var end = crlf ? "\r\n"u8 : "\n"u8;
            end.CopyTo(buffer.AsSpan(length));
            length += end.Length;
        }

        byte[] result = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return result;
    }

    private static bool IsAnyOf(ReadOnlySpan<byte> fieldName, IReadOnlyList<string> names)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(fieldName, names[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The next field with a name (a line and the lines that continue it, split as
    /// <see cref="HeaderParser.Parse"/> splits; the name before the colon, trailing blanks
    /// removed); false at the end of the block.
    /// </summary>
    private static bool NextField(ReadOnlySpan<byte> block, ref int pos, out int start, out ReadOnlySpan<byte> name)
    {
        while (pos < block.Length)
        {
            start = pos;
            pos = NextLine(block, pos);
            int firstLineEnd = pos;
            while (pos < block.Length && block[pos] is (byte)' ' or (byte)'\t')
            {
                pos = NextLine(block, pos);
            }

            // The name is before a colon on the field's first line.
            int colon = block[start..firstLineEnd].IndexOf((byte)':');
            if (colon >= 0)
            {
                name = block.Slice(start, colon).TrimEnd(" \t"u8);
                return true;
            }
        }

        start = pos;
        name = default;
        return false;
    }

    private static int NextLine(ReadOnlySpan<byte> block, int pos)
    {
        int lf = block[pos..].IndexOf((byte)'\n');
        return lf < 0 ? block.Length : pos + lf + 1;
    }
}
