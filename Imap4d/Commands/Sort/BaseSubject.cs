using Imap4d.Mime;

namespace Imap4d.Commands.Sort;

/// <summary>
/// The "base subject" of RFC 5256 §2.1, which SORT (SUBJECT) and THREAD compare: the subject
/// with RFC 2047 words decoded, blanks normalised, and reply and forward markers ("Re:",
/// "Fwd:", "[list] Re:", "(fwd)" trailers, "[fwd: …]" wrappers) taken off.
/// <see cref="Extract"/> also says whether anything marked the message as a reply or forward
/// (THREAD REFERENCES step 6 needs that).
/// </summary>
public static class BaseSubject
{
    /// <summary>The base subject of a raw Subject: value (one char per byte, encoded-words undecoded).</summary>
    public static (string Subject, bool ReplyOrForward) FromHeader(string? rawValue) =>
        rawValue is null ? ("", false)
        : Extract(rawValue.Contains("=?", StringComparison.Ordinal) ? Rfc2047Decoder.Decode(rawValue) : RawText.ToText(rawValue)); // what Decode gives without encoded words

    /// <summary>RFC 5256 §2.1 steps 1 (after decoding) to 7 on decoded text.</summary>
    public static (string Subject, bool ReplyOrForward) Extract(string subject)
    {
        string s = NormaliseBlanks(subject);
        bool replyOrForward = false;
        while (true)
        {
            // (2) trailers: "(fwd)" and blanks, as long as any is left.
            int end = s.Length;
            while (true)
            {
                if (end > 0 && s[end - 1] == ' ')
                {
                    end--;
                }
                else if (end >= 5 && s.AsSpan(end - 5, 5).Equals("(fwd)", StringComparison.OrdinalIgnoreCase))
                {
                    end -= 5;
                    replyOrForward = true;
                }
                else
                {
                    break;
                }
            }

            // (3)-(5) leaders ("Re:", "[blob] Fwd:", blanks) and blobs that leave something behind.
            int start = 0;
            bool changed = true;
            while (changed)
            {
                changed = false;
                while (start < end)
                {
                    if (s[start] == ' ')
                    {
                        start++;
                    }
                    else if (RefwdLength(s, start, end) is > 0 and int refwd)
                    {
                        start += refwd;
                        replyOrForward = true;
                    }
                    else
                    {
                        break;
                    }

                    changed = true;
                }

                if (BlobLength(s, start, end) is > 0 and int blob && start + blob < end)
                {
                    start += blob;
                    changed = true;
                }
            }

            s = s[start..end];

            // (6) "[fwd: subject]": unwrap and start again.
            if (s.Length >= 6 && s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s[^1] == ']')
            {
                s = s[5..^1];
                replyOrForward = true;
                continue;
            }

            return (s, replyOrForward);
        }
    }

    /// <summary>Step 1: tabs and line breaks become spaces, runs of spaces one space.</summary>
    private static string NormaliseBlanks(string text)
    {
        bool clean = true;
        for (int i = 0; i < text.Length && clean; i++)
        {
            char c = text[i];
            clean = c != '\t' && c != '\r' && c != '\n' && !(c == ' ' && i > 0 && text[i - 1] == ' ');
        }

        if (clean)
        {
            return text;
        }

        var chars = new char[text.Length];
        int n = 0;
        foreach (char c0 in text)
        {
            char c = c0 is '\t' or '\r' or '\n' ? ' ' : c0;
            if (c == ' ' && n > 0 && chars[n - 1] == ' ')
            {
                continue;
            }

            chars[n++] = c;
        }

        return new string(chars, 0, n);
    }

    /// <summary>
    /// The length of a subj-refwd preceded by any subj-blobs at <paramref name="start"/>
    /// (<c>*subj-blob ("re" / "fw" ["d"]) *WSP [subj-blob] ":"</c>), or 0.
    /// </summary>
    private static int RefwdLength(string s, int start, int end)
    {
        int pos = start;
        while (BlobLength(s, pos, end) is > 0 and int blob)
        {
            pos += blob;
        }

        foreach (string word in (ReadOnlySpan<string>)["re", "fwd", "fw"])
        {
            int p = pos;
            if (end - p < word.Length || !s.AsSpan(p, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            p += word.Length;
            while (p < end && s[p] == ' ')
            {
                p++;
            }

            if (BlobLength(s, p, end) is > 0 and int blob)
            {
                p += blob;
            }

            if (p < end && s[p] == ':')
            {
                return p + 1 - start;
            }
        }

        return 0;
    }

    /// <summary>The length of a subj-blob (<c>"[" *BLOBCHAR "]" *WSP</c>) at <paramref name="pos"/>, or 0.</summary>
    private static int BlobLength(string s, int pos, int end)
    {
        if (pos >= end || s[pos] != '[')
        {
            return 0;
        }

        int p = pos + 1;
        while (p < end && s[p] != ']')
        {
            if (s[p] == '[')
            {
                return 0;
            }

            p++;
        }

        if (p >= end)
        {
            return 0;
        }

        p++;
        while (p < end && s[p] == ' ')
        {
            p++;
        }

        return p - pos;
    }
}
