using System.Text;

namespace Imap4d.Mime;

/// <summary>A cursor over a raw structured header value (RFC 2822 lexical tokens). Never throws.</summary>
internal sealed class StructuredReader
{
    private readonly string _s;

    public StructuredReader(string s)
    {
        _s = s;
    }

    public int Pos { get; set; }

    public bool AtEnd => Pos >= _s.Length;

    public char Peek => Pos < _s.Length ? _s[Pos] : '\0';

    public string Source => _s;

    /// <summary>Skips blanks and comments; returns the text of the last comment seen, if any.</summary>
    public string? SkipCfws()
    {
        string? comment = null;
        while (Pos < _s.Length)
        {
            char c = _s[Pos];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                Pos++;
            }
            else if (c == '(')
            {
                comment = ReadComment();
            }
            else
            {
                break;
            }
        }

        return comment;
    }

    /// <summary>Reads a (nested) comment starting at "(", returns its text without the outer parentheses.</summary>
    public string ReadComment()
    {
        var sb = new StringBuilder();
        int depth = 0;
        while (Pos < _s.Length)
        {
            char c = _s[Pos++];
            if (c == '\\' && Pos < _s.Length)
            {
                sb.Append(_s[Pos++]);
                continue;
            }

            if (c == '(')
            {
                if (depth++ == 0)
                {
                    continue;
                }
            }
            else if (c == ')')
            {
                if (--depth == 0)
                {
                    break;
                }
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Reads a quoted string starting at the quote; returns the unescaped content.</summary>
    public string ReadQuoted()
    {
        var sb = new StringBuilder();
        Pos++;
        while (Pos < _s.Length)
        {
            char c = _s[Pos++];
            if (c == '"')
            {
                break;
            }

            if (c == '\\' && Pos < _s.Length)
            {
                c = _s[Pos++];
            }

            if (c is '\r' or '\n')
            {
                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Reads characters up to (not including) a blank, a "(" or one of <paramref name="stops"/>.</summary>
    public string ReadUntil(string stops)
    {
        int start = Pos;
        while (Pos < _s.Length)
        {
            char c = _s[Pos];
            if (c is ' ' or '\t' or '\r' or '\n' or '(' || stops.Contains(c))
            {
                break;
            }

            Pos++;
        }

        return _s[start..Pos];
    }

    /// <summary>Reads a token or quoted string (MIME parameter value).</summary>
    public string ReadValue(string stops) => Peek == '"' ? ReadQuoted() : ReadUntil(stops);

    /// <summary>Reads atext and dots (an RFC 2822 atom, leniently).</summary>
    public string ReadAtom() => ReadUntil("<>@,;:\"[]()\\");
}
