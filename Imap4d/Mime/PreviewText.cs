using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// RFC 8970 PREVIEW: a short plain-text abstract of a message, from its first text part that is
/// not an attachment (text/plain preferred over text/html in a multipart/alternative): transfer
/// encoding and charset undone, HTML tags and quoted lines dropped, white space collapsed, at most
/// <see cref="MaxCharacters"/> characters. Empty when the message has no such text.
/// </summary>
public static class PreviewText
{
    /// <summary>RFC 8970 §3: at most 256 characters; Dovecot and Gmail show about 200.</summary>
    public const int MaxCharacters = 200;

    /// <summary>Decoded bytes looked at: enough for the preview even under a long quoted or HTML head.</summary>
    private const int MaxDecodedBytes = 16 * 1024;

    /// <param name="message">The message's CRLF content, at its start (or seekable).</param>
    public static string Extract(MimePart root, Stream message)
    {
        if (FindText(root) is not { } part)
        {
            return "";
        }

        if (message.CanSeek)
        {
            message.Seek(part.BodyOffset, SeekOrigin.Begin);
        }
        else
        {
            var skip = new byte[16 * 1024];
            for (long left = part.BodyOffset; left > 0;)
            {
                int n = message.Read(skip, 0, (int)Math.Min(skip.Length, left));
                if (n <= 0)
                {
                    return "";
                }

                left -= n;
            }
        }
        var limited = new byte[Math.Min(part.BodySize, MaxDecodedBytes * 2L)];
        int read = 0;
        while (read < limited.Length)
        {
            int n = message.Read(limited, read, limited.Length - read);
            if (n <= 0)
            {
                break;
            }

            read += n;
        }

        byte[] decoded = TransferDecoder.DecodeBytes(limited.AsSpan(0, read), part.ContentTransferEncoding);
        var bytes = decoded.AsSpan(0, Math.Min(decoded.Length, MaxDecodedBytes));
        string charset = part.EffectiveType.GetParameter("charset") ?? "us-ascii";
        string text = Charsets.IsKnown(charset) ? Charsets.Decode(charset, bytes) : Encoding.UTF8.GetString(bytes);
        if (part.EffectiveType.Subtype.Equals("html", StringComparison.OrdinalIgnoreCase))
        {
            text = StripHtml(text);
        }

        return Collapse(text);
    }

    /// <summary>The first inline text/plain or text/html leaf, depth first; an alternative's plain version first.</summary>
    private static MimePart? FindText(MimePart part)
    {
        if (part.IsMultipart)
        {
            var children = part.Children;
            if (part.EffectiveType.Subtype.Equals("alternative", StringComparison.OrdinalIgnoreCase))
            {
                var plain = children.FirstOrDefault(c => !c.IsMultipart && IsText(c, "plain"));
                if (plain is not null)
                {
                    return plain;
                }
            }

            foreach (var child in children)
            {
                if (FindText(child) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        bool attachment = part.ContentDisposition?.Type.Equals("attachment", StringComparison.OrdinalIgnoreCase) == true;
        return !attachment && !part.IsMessage && (IsText(part, "plain") || IsText(part, "html")) ? part : null;
    }

    private static bool IsText(MimePart part, string subtype) =>
        part.EffectiveType.Type.Equals("text", StringComparison.OrdinalIgnoreCase)
        && part.EffectiveType.Subtype.Equals(subtype, StringComparison.OrdinalIgnoreCase);

    /// <summary>Text of HTML: tags dropped (with what style and script hold), the common entities decoded.</summary>
    private static string StripHtml(string html)
    {
        var text = new StringBuilder(html.Length);
        int i = 0;
        while (i < html.Length)
        {
            if (html[i] != '<')
            {
                text.Append(html[i++]);
                continue;
            }

            int close = html.IndexOf('>', i);
            if (close < 0)
            {
                break;
            }

            string inside = html[(i + 1)..close];
            string tag = inside.Split(' ', '\t', '\r', '\n', '/')[0].ToLowerInvariant();
            i = close + 1;
            if (tag is "style" or "script" or "head" or "title")
            {
                int end = html.IndexOf("</" + tag, i, StringComparison.OrdinalIgnoreCase);
                i = end < 0 ? html.Length : end;
            }

            text.Append(' ');
        }

        return System.Net.WebUtility.HtmlDecode(text.ToString());
    }

    /// <summary>Lines that quote another message ("&gt; ...") dropped, runs of white space made one space, cut to length.</summary>
    private static string Collapse(string text)
    {
        var result = new StringBuilder(MaxCharacters);
        bool space = false;
        foreach (string line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith('>'))
            {
                continue;
            }

            foreach (char c in line + " ")
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    space = result.Length > 0;
                    continue;
                }

                if (space)
                {
                    result.Append(' ');
                    space = false;
                }

                result.Append(c);
                if (result.Length >= MaxCharacters)
                {
                    // Never end inside a surrogate pair.
                    if (char.IsHighSurrogate(result[^1]))
                    {
                        result.Length--;
                    }

                    return result.ToString();
                }
            }
        }

        return result.ToString();
    }
}
