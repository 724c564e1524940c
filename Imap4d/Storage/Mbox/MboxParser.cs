using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Storage.Mbox;

/// <summary>
/// One sequential pass over an mbox region. Rules:
/// <list type="bullet">
/// <item>A message starts at a line beginning with <c>From </c> that is the first From line of
/// the region, follows an empty line, or carries a recognisable date (mutt's test); text before
/// the first From line is skipped.</item>
/// <item>A <c>Content-Length</c> header is honoured only when it points exactly at the next
/// From line (optionally after one newline) or at the end of the file, as mutt does; then From
/// lines inside that body do not split it.</item>
/// <item>The empty line just before the next From line (or EOF) belongs to the separator, also
/// when it is the one that ends the header (the message then has no body and no empty line).</item>
/// <item>The client view (size counted here, bytes made by <see cref="ClientView"/>) drops the
/// headers in <see cref="MboxHeaders.Hidden"/>, removes one '&gt;' from lines matching
/// <c>^&gt;+From </c> (mboxrd) and ends every line with CRLF.</item>
/// </list>
/// </summary>
internal static class MboxParser
{
    private const int NoField = -1;
    private const int DateField = 100;
    private const int SubjectField = 101;

    public static List<ParsedMessage> Parse(SafeFileHandle file, long start, long end)
    {
        var result = new List<ParsedMessage>();
        var reader = new LineReader(file, start, end);
        ParsedMessage? cur = null;
        bool inHeader = false;
        bool prevBlank = false;
        long bodyLimit = -1;
        long contentLength = -1;
        int lastBodyBlank = 0;
        int headerBlank = 0;
        int field = NoField;
        var value = new StringBuilder();

        void EndField()
        {
            if (field != NoField && cur is not null)
            {
                ApplyField(cur, field, value.ToString().Trim(), ref contentLength);
            }

            field = NoField;
        }

        void Finish(long at)
        {
            var m = cur!;
            m.End = at;
            if (inHeader)
            {
                EndField();
                m.BodyOffset = at;
                m.ContentEnd = at;
            }
            else if (bodyLimit >= 0)
            {
                m.ContentEnd = bodyLimit;
            }
            else if (m.BodyOffset == at && headerBlank > 0)
            {
                // Header, one empty line, next From: that line is the separator and the message has no body.
                m.BodyOffset = m.ContentEnd = at - headerBlank;
                m.ClientSize -= 2;
            }
            else if (lastBodyBlank > 0)
            {
                m.ContentEnd = at - lastBodyBlank;
                m.ClientSize -= 2;
            }
            else
            {
                m.ContentEnd = at;
            }

            result.Add(m);
        }

        while (reader.Next(out long off, out int s, out int len))
        {
            var line = reader.Buffer.AsSpan(s, len);
            bool isFrom = line.StartsWith("From "u8);
            if (cur is not null && bodyLimit >= 0)
            {
                if (off < bodyLimit)
                {
                    cur.ClientSize += ClientLength(line[..(int)Math.Min(len, bodyLimit - off)]);
                    continue;
                }

                if (!isFrom)
                {
                    continue; // the newline between a Content-Length body and the next From line
                }
            }

            if (isFrom && (cur is null || prevBlank || bodyLimit >= 0 || FromLine.ParseDate(line) is not null))
            {
                if (cur is not null)
                {
                    Finish(off);
                }

                cur = new ParsedMessage { FromOffset = off, HeaderOffset = off + len, FromDate = FromLine.ParseDate(line) };
                inHeader = true;
                bodyLimit = -1;
                contentLength = -1;
                lastBodyBlank = 0;
                prevBlank = false;
                field = NoField;
                continue;
            }

            bool blank = IsBlank(line);
            if (cur is null)
            {
                prevBlank = blank;
                continue;
            }

            if (inHeader)
            {
                if (blank)
                {
                    EndField();
                    inHeader = false;
                    headerBlank = len;
                    cur.BodyOffset = off + len;
                    cur.ClientSize += 2;
                    if (contentLength >= 0 && ContentLengthFits(file, cur.BodyOffset + contentLength, end))
                    {
                        bodyLimit = cur.BodyOffset + contentLength;
                        cur.ContentLengthHonoured = true;
                    }

                    prevBlank = true;
                    continue;
                }

                if (line[0] is (byte)' ' or (byte)'\t')
                {
                    if (field != NoField)
                    {
                        value.Append(Encoding.Latin1.GetString(line));
                    }

                    if (field is NoField or DateField or SubjectField)
                    {
                        cur.ClientSize += ClientLength(line);
                    }
                }
                else
                {
                    EndField();
                    var name = MboxHeaders.FieldName(line);
                    int hidden = MboxHeaders.HiddenIndex(name);
                    if (hidden >= 0)
                    {
                        field = hidden;
                    }
                    else
                    {
                        field = Ascii.EqualsIgnoreCase(name, "Date"u8) ? DateField
                            : Ascii.EqualsIgnoreCase(name, "Subject"u8) ? SubjectField
                            : NoField;
                        cur.ClientSize += ClientLength(line);
                    }

                    if (field != NoField)
                    {
                        value.Clear();
                        value.Append(Encoding.Latin1.GetString(line[(name.Length + 1)..]).TrimStart(':'));
                    }
                }

                prevBlank = false;
                continue;
            }

            cur.ClientSize += ClientLength(line);
            lastBodyBlank = blank ? len : 0;
            prevBlank = blank;
        }

        if (cur is not null)
        {
            Finish(end);
        }

        return result;
    }

    public static bool IsBlank(ReadOnlySpan<byte> line) =>
        (line.Length == 1 && line[0] == '\n') || (line.Length == 2 && line[0] == '\r' && line[1] == '\n');

    /// <summary>mboxrd quoting: <c>&gt;+From </c> at the start of a line.</summary>
    public static bool IsQuotedFrom(ReadOnlySpan<byte> line)
    {
        if (line.Length < 6 || line[0] != '>')
        {
            return false;
        }

        int i = 1;
        while (i < line.Length && line[i] == '>')
        {
            i++;
        }

        return line[i..].StartsWith("From "u8);
    }

    /// <summary>The bytes a stored line takes in the client view.</summary>
    public static long ClientLength(ReadOnlySpan<byte> line)
    {
        long n = line.Length;
        if (n > 0 && line[^1] == '\n' && (n < 2 || line[^2] != '\r'))
        {
            n++;
        }

        if (line.Length > 0 && line[0] == '>' && IsQuotedFrom(line))
        {
            n--;
        }

        return n;
    }

    private static bool ContentLengthFits(SafeFileHandle file, long at, long end)
    {
        if (at > end || at < 0)
        {
            return false;
        }

        if (at == end)
        {
            return true;
        }

        Span<byte> probe = stackalloc byte[7];
        int n = RandomAccess.Read(file, probe[..(int)Math.Min(7, end - at)], at);
        var got = probe[..n];
        if (got.StartsWith("From "u8))
        {
            return true;
        }

        if (got.Length > 0 && got[0] == '\n')
        {
            return at + 1 == end || got[1..].StartsWith("From "u8);
        }

        return got.StartsWith("\r\n"u8) && (at + 2 == end || got[2..].StartsWith("From"u8));
    }

    private static void ApplyField(ParsedMessage m, int field, string text, ref long contentLength)
    {
        switch (field)
        {
            case 0: // Status
                m.Flags |= MboxHeaders.ParseStatus(text, out bool old);
                m.Old |= old;
                break;
            case 1: // X-Status
                m.Flags |= MboxHeaders.ParseXStatus(text);
                break;
            case 2: // X-Keywords
                (m.Keywords ??= []).AddRange(MboxHeaders.ParseKeywords(text));
                break;
            case 3: // X-UID
                if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
                {
                    m.XUid = uid;
                }

                break;
            case 4: // X-IMAPbase
            case 5: // X-IMAP (UW's pseudo message)
                string[] parts = text.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2
                    && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint validity)
                    && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint next)
                    && validity != 0)
                {
                    m.ImapBase = (validity, Math.Max(next, 1));
                }

                if (field == 5)
                {
                    m.IsPseudo = true;
                }

                break;
            case 6: // Content-Length
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
                {
                    contentLength = length;
                }

                break;
            case DateField:
                m.HeaderDate = FromLine.ParseRfc2822(text);
                break;
            case SubjectField:
                if (text.Contains("FOLDER INTERNAL DATA", StringComparison.Ordinal))
                {
                    m.IsPseudo = true;
                }

                break;
        }
    }
}
