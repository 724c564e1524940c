namespace Imap4d.Commands.Thread;

/// <summary>
/// The msg-ids of Message-ID:, References: and In-Reply-To: values (RFC 2822 §3.6.4), as THREAD
/// REFERENCES links them: each "&lt;left@right&gt;", compared by its text between the angle
/// brackets (blanks removed, as folding may split a long id). Anything else (phrases,
/// comments, an id without "@") is skipped.
/// </summary>
public static class MessageIds
{
    /// <summary>At most this many references are linked per message (a hostile header cannot make a chain of a million).</summary>
    public const int MaxReferences = 1000;

    public static string? First(string? raw)
    {
        int pos = 0;
        return raw is not null && Next(raw, ref pos) is { } id ? id : null;
    }

    public static List<string> All(string? raw)
    {
        var ids = new List<string>();
        int pos = 0;
        while (raw is not null && ids.Count < MaxReferences && Next(raw, ref pos) is { } id)
        {
            ids.Add(id);
        }

        return ids;
    }

    private static string? Next(string raw, ref int pos)
    {
        while (pos < raw.Length)
        {
            int open = raw.IndexOf('<', pos);
            if (open < 0)
            {
                pos = raw.Length;
                return null;
            }

            int close = raw.IndexOf('>', open + 1);
            if (close < 0)
            {
                pos = raw.Length;
                return null;
            }

            int nested = raw.IndexOf('<', open + 1, close - open - 1);
            if (nested >= 0)
            {
                pos = nested;
                continue;
            }

            pos = close + 1;
            string id = Compact(raw.AsSpan(open + 1, close - open - 1));
            int at = id.IndexOf('@');
            if (at > 0 && at < id.Length - 1)
            {
                return id;
            }
        }

        return null;
    }

    private static string Compact(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny(" \t\r\n") < 0)
        {
            return text.ToString();
        }

        var chars = new char[text.Length];
        int n = 0;
        foreach (char c in text)
        {
            if (c is not (' ' or '\t' or '\r' or '\n'))
            {
                chars[n++] = c;
            }
        }

        return new string(chars, 0, n);
    }
}
