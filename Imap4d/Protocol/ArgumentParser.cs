using System.Text;
using Imap4d.Config;

namespace Imap4d.Protocol;

/// <summary>
/// Turns the line segments of one command (the text between literals) into a tag, a command
/// name and an argument tree. Kept separate from the I/O so that it is synchronous and
/// testable on its own; the open lists survive from one segment to the next.
/// </summary>
internal sealed class ArgumentParser
{
    private readonly ProtocolLimits _limits;
    private readonly List<ImapArg> _top = [];
    private readonly Stack<List<ImapArg>> _open = new();
    private int _argumentCount;

    /// <summary>True after a complete element: the next one must be preceded by a space.</summary>
    private bool _afterElement;

    public ArgumentParser(ProtocolLimits limits)
    {
        _limits = limits;
    }

    public string? Tag { get; private set; }

    /// <summary>The upper-cased command name, once read.</summary>
    public string? CommandName { get; private set; }

    public bool IsEmpty => Tag is null;

    private List<ImapArg> Current => _open.Count > 0 ? _open.Peek() : _top;

    /// <summary>
    /// Parses one segment. Returns the literal it announces at its end, or null when the
    /// segment completes the command.
    /// </summary>
    public LiteralMarker? ParseSegment(ReadOnlySpan<byte> line)
    {
        int i = 0;
        if (Tag is null)
        {
            i = ReadTagAndName(line);
        }

        while (i < line.Length)
        {
            byte b = line[i];
            if (b == ')')
            {
                if (_open.Count == 0)
                {
                    throw new ImapSyntaxException("Unexpected )");
                }

                var items = _open.Pop();
                Current.Add(new ListArg(items));
                i++;
                _afterElement = true;
                continue;
            }

            if (_afterElement)
            {
                if (b != ' ')
                {
                    throw new ImapSyntaxException("Missing space between arguments");
                }

                i++;
                _afterElement = false;
                continue;
            }

            switch (b)
            {
                case (byte)' ':
                    // Tolerate repeated spaces, as most servers do.
                    i++;
                    continue;
                case (byte)'(':
                    if (_open.Count >= _limits.MaxNestingDepth)
                    {
                        throw new ImapSyntaxException("Too deeply nested");
                    }

                    CountArgument();
                    _open.Push([]);
                    _afterElement = false;
                    i++;
                    continue;
                case (byte)'"':
                    i = ReadQuoted(line, i);
                    break;
                case (byte)'{':
                    var marker = LiteralMarker.FindAtEnd(line[i..]);
                    if (marker is null || !IsWholeMarker(line, i))
                    {
                        throw new ImapSyntaxException("Invalid literal");
                    }

                    CountArgument();
                    return marker;
                case (byte)'~' when i + 1 < line.Length && line[i + 1] == '{':
                    // literal8 (RFC 3516); which commands accept one is the command grammar's business.
                    var marker8 = LiteralMarker.FindAtEnd(line[i..]);
                    if (marker8 is null || !IsWholeMarker(line, i + 1))
                    {
                        throw new ImapSyntaxException("Invalid literal8");
                    }

                    CountArgument();
                    return marker8.Value with { Binary = true };
                default:
                    i = ReadAtom(line, i);
                    break;
            }

            _afterElement = true;
        }

        return null;
    }

    public void AddLiteral(StringArg literal)
    {
        Current.Add(literal);
        _afterElement = true;
    }

    public ClientCommand Finish()
    {
        if (_open.Count > 0)
        {
            DisposeAll();
            throw new ImapSyntaxException("Unbalanced parentheses") { Tag = Tag };
        }

        return new ClientCommand(Tag!, CommandName!, _top);
    }

    /// <summary>Releases spooled literals of a command that will not run.</summary>
    public void DisposeAll()
    {
        new ClientCommand(Tag ?? "", CommandName ?? "", _top).Dispose();
        foreach (var list in _open)
        {
            new ClientCommand("", "", list).Dispose();
        }
    }

    private static bool IsWholeMarker(ReadOnlySpan<byte> line, int brace)
    {
        // The marker must run from this brace to the end of the segment: digits, "+" or "-", "}".
        var inside = line[(brace + 1)..^1];
        if (inside.Length > 0 && inside[^1] is (byte)'+' or (byte)'-')
        {
            inside = inside[..^1];
        }

        return inside.Length > 0 && !inside.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private int ReadTagAndName(ReadOnlySpan<byte> line)
    {
        int i = 0;
        while (i < line.Length && line[i] != ' ')
        {
            i++;
        }

        var tag = line[..i];
        if (tag.IsEmpty || !IsValidTag(tag))
        {
            throw new ImapSyntaxException("Invalid tag");
        }

        Tag = Encoding.ASCII.GetString(tag);
        if (i >= line.Length)
        {
            throw new ImapSyntaxException("Missing command");
        }

        i++;
        int start = i;
        while (i < line.Length && line[i] != ' ')
        {
            i++;
        }

        var name = line[start..i];
        if (name.IsEmpty || !IsAtom(name))
        {
            throw new ImapSyntaxException("Invalid command");
        }

        CommandName = Encoding.ASCII.GetString(name).ToUpperInvariant();
        _afterElement = true;
        return i;
    }

    /// <summary>The tag at the start of a line, if it has a valid one followed by a space.</summary>
    public static string? TryReadTag(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        return space > 0 && IsValidTag(line[..space]) ? Encoding.ASCII.GetString(line[..space]) : null;
    }

    private static bool IsValidTag(ReadOnlySpan<byte> tag)
    {
        foreach (byte b in tag)
        {
            if (b == '+' || !IsAtomChar(b))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAtom(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
        {
            if (!IsAtomChar(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ATOM-CHAR of RFC 3501, widened with "]" (resp-specials, allowed in tags and astrings).</summary>
    private static bool IsAtomChar(byte b) =>
        b > 0x20 && b < 0x7f && b is not ((byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\');

    /// <summary>
    /// Reads an atom. List wildcards, flags' backslash and sequence-set "*" are accepted here
    /// (the command grammar decides what is valid); "[" opens a section that runs to its "]"
    /// and may hold spaces, lists and quoted strings, as in BODY[HEADER.FIELDS (A B)]; without
    /// a closing "]" the atom ends at the next space or parenthesis.
    /// </summary>
    private int ReadAtom(ReadOnlySpan<byte> line, int i)
    {
        int start = i;
        int bracketDepth = 0;
        while (i < line.Length)
        {
            byte b = line[i];
            if (bracketDepth > 0)
            {
                if (b == ']')
                {
                    bracketDepth--;
                }
                else if (b == '[')
                {
                    if (++bracketDepth > _limits.MaxNestingDepth)
                    {
                        throw new ImapSyntaxException("Too deeply nested");
                    }
                }
                else if (b == '"')
                {
                    i = SkipQuoted(line, i);
                    continue;
                }
                else if (b < 0x20 || b >= 0x7f)
                {
                    throw new ImapSyntaxException("Invalid character in section");
                }

                i++;
                continue;
            }

            if (b == ' ' || b == ')' || b == '(')
            {
                break;
            }

            if (b == '[')
            {
                if (++bracketDepth > _limits.MaxNestingDepth)
                {
                    throw new ImapSyntaxException("Too deeply nested");
                }
            }
            else if (b <= 0x20 || b >= 0x7f || b == '"' || b == '{')
            {
                throw new ImapSyntaxException("Invalid character in atom");
            }

            i++;
        }

        if (bracketDepth > 0)
        {
            // No closing "]", so no section: "[" is an ordinary ATOM-CHAR (RFC 3501 §9), as in
            // the password pa[ss. Read a plain atom instead.
            i = start;
            while (i < line.Length && line[i] is not ((byte)' ' or (byte)'(' or (byte)')'))
            {
                if (line[i] < 0x20 || line[i] >= 0x7f || line[i] is (byte)'"' or (byte)'{')
                {
                    throw new ImapSyntaxException("Invalid character in atom");
                }

                i++;
            }
        }

        CountArgument();
        Current.Add(new AtomArg(Encoding.ASCII.GetString(line[start..i])));
        return i;
    }

    private int ReadQuoted(ReadOnlySpan<byte> line, int i)
    {
        var value = new List<byte>();
        i++;
        while (i < line.Length)
        {
            byte b = line[i];
            if (b == '"')
            {
                CountArgument();
                Current.Add(StringArg.FromBytes(value.ToArray(), isLiteral: false));
                return i + 1;
            }

            if (b == '\\')
            {
                if (i + 1 >= line.Length || (line[i + 1] != '"' && line[i + 1] != '\\'))
                {
                    throw new ImapSyntaxException("Invalid escape in quoted string");
                }

                b = line[i + 1];
                i++;
            }
            else if (b == 0 || b == '\r')
            {
                throw new ImapSyntaxException("Invalid character in quoted string");
            }

            value.Add(b);
            i++;
        }

        throw new ImapSyntaxException("Unterminated quoted string");
    }

    private static int SkipQuoted(ReadOnlySpan<byte> line, int i)
    {
        i++;
        while (i < line.Length)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                i += 2;
                continue;
            }

            if (line[i] == '"')
            {
                return i + 1;
            }

            i++;
        }

        throw new ImapSyntaxException("Unterminated quoted string");
    }

    private void CountArgument()
    {
        if (++_argumentCount > _limits.MaxArguments)
        {
            throw new ImapSyntaxException("Too many arguments");
        }
    }
}
