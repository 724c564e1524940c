using System.Text;
using System.Text.RegularExpressions;

namespace Imap4d.Config;

/// <summary>
/// Splits mailutils configuration text into tokens. Handles the three comment styles,
/// quoted strings with C escapes and adjacent-string concatenation, here-documents,
/// and the preprocessor-style `#include`, `#include_once` and `#line` lines.
/// </summary>
public sealed partial class ConfigLexer
{
    /// <summary>`#line N ["FILE"]` or `# N "FILE"` (the latter needs the file, so `# 3 users` stays a comment).</summary>
    [GeneratedRegex("""^(line[ \t]+[0-9]+([ \t]+"[^"]*")?|[ \t]+[0-9]+[ \t]+"[^"]*")[ \t]*$""")]
    private static partial Regex LineDirectiveRegex();

    private static readonly Regex LineDirective = LineDirectiveRegex();

    private readonly string _text;
    private string _file;
    private int _position;
    private int _line = 1;

    public ConfigLexer(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static IReadOnlyList<ConfigToken> Tokenize(string text, string file) => new ConfigLexer(text, file).ReadAll();

    public IReadOnlyList<ConfigToken> ReadAll()
    {
        var tokens = new List<ConfigToken>();
        ConfigToken token;
        do
        {
            token = Next();
            tokens.Add(token);
        }
        while (token.Kind != ConfigTokenKind.EndOfFile);
        return tokens;
    }

    private SourceLocation Here => new(_file, _line);

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private bool LookingAt(string s) => string.CompareOrdinal(_text, _position, s, 0, s.Length) == 0;

    public ConfigToken Next()
    {
        SkipBlanksAndComments();
        if (AtEnd)
        {
            return new ConfigToken(ConfigTokenKind.EndOfFile, "", Here);
        }

        var start = Here;
        switch (Current)
        {
            case '{': _position++; return new ConfigToken(ConfigTokenKind.OpenBrace, "{", start);
            case '}': _position++; return new ConfigToken(ConfigTokenKind.CloseBrace, "}", start);
            case '(': _position++; return new ConfigToken(ConfigTokenKind.OpenParen, "(", start);
            case ')': _position++; return new ConfigToken(ConfigTokenKind.CloseParen, ")", start);
            case ',': _position++; return new ConfigToken(ConfigTokenKind.Comma, ",", start);
            case ';': _position++; return new ConfigToken(ConfigTokenKind.Semicolon, ";", start);
            case '"': return new ConfigToken(ConfigTokenKind.String, ReadConcatenatedStrings(), start);
        }

        if (LookingAt("<<"))
        {
            return new ConfigToken(ConfigTokenKind.String, ReadHereDocument(), start);
        }

        if (Current == '#')
        {
            return ReadDirective();
        }

        var wordStart = _position;
        while (!AtEnd && ConfigSyntax.IsWordChar(Current))
        {
            _position++;
        }

        return new ConfigToken(ConfigTokenKind.Word, _text[wordStart.._position], start);
    }

    private void SkipBlanksAndComments()
    {
        while (!AtEnd)
        {
            if (Current == '\n')
            {
                _line++;
                _position++;
            }
            else if (char.IsWhiteSpace(Current))
            {
                _position++;
            }
            else if (LookingAt("//"))
            {
                SkipToEndOfLine();
            }
            else if (LookingAt("/*"))
            {
                SkipBlockComment();
            }
            else if (Current == '#' && !IsDirectiveStart())
            {
                SkipToEndOfLine();
            }
            else
            {
                return;
            }
        }
    }

    private void SkipToEndOfLine()
    {
        while (!AtEnd && Current != '\n')
        {
            _position++;
        }
    }

    private void SkipBlockComment()
    {
        var start = Here;
        _position += 2;
        while (!LookingAt("*/"))
        {
            if (AtEnd)
            {
                throw new ConfigException(start, "unterminated comment");
            }

            if (Current == '\n')
            {
                _line++;
            }

            _position++;
        }

        _position += 2;
    }

    /// <summary>`#include`, `#include_once`, `#line N` and `# N "file"` are directives, any other `#` a comment.</summary>
    private bool IsDirectiveStart()
    {
        if (!IsAtLineStart())
        {
            return false;
        }

        var lineEnd = _text.IndexOf('\n', _position);
        var line = _text[(_position + 1)..(lineEnd < 0 ? _text.Length : lineEnd)];
        return line.StartsWith("include", StringComparison.Ordinal) || LineDirective.IsMatch(line);
    }

    private bool IsAtLineStart()
    {
        for (var i = _position - 1; i >= 0 && _text[i] != '\n'; i--)
        {
            if (_text[i] != ' ' && _text[i] != '\t')
            {
                return false;
            }
        }

        return true;
    }

    private ConfigToken ReadDirective()
    {
        var start = Here;
        var lineEnd = _text.IndexOf('\n', _position);
        var line = _text[(_position + 1)..(lineEnd < 0 ? _text.Length : lineEnd)].Trim();
        _position = lineEnd < 0 ? _text.Length : lineEnd;

        var keyword = line.Split([' ', '\t'], 2)[0];
        var argument = line[keyword.Length..].Trim();
        switch (keyword)
        {
            case "include":
                return new ConfigToken(ConfigTokenKind.IncludeDirective, DirectiveFileName(argument, start), start);
            case "include_once":
                return new ConfigToken(ConfigTokenKind.IncludeOnceDirective, DirectiveFileName(argument, start), start);
            case "line":
                SetLineFromDirective(argument);
                return Next();
            default:
                if (keyword.Length > 0 && keyword.All(char.IsAsciiDigit))
                {
                    SetLineFromDirective(line);
                }

                // Otherwise (`#includes ...`) an ordinary comment after all.
                return Next();
        }
    }

    private static string DirectiveFileName(string argument, SourceLocation where)
    {
        if (argument.Length >= 2
            && ((argument[0] == '<' && argument[^1] == '>') || (argument[0] == '"' && argument[^1] == '"')))
        {
            argument = argument[1..^1];
        }

        if (argument.Length == 0)
        {
            throw new ConfigException(where, "#include requires a file name");
        }

        return argument;
    }

    /// <summary>`#line N ["FILE"]`: the next line is line N of FILE, as cpp and m4 emit.</summary>
    private void SetLineFromDirective(string argument)
    {
        var parts = argument.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !int.TryParse(parts[0], out var number))
        {
            return;
        }

        if (parts.Length > 1)
        {
            _file = parts[1].Trim().Trim('"');
        }

        // The newline ending this directive is counted by the caller, so start one lower.
        _line = number - 1;
    }

    /// <summary>`"a" "b"` is one string "ab", as in C.</summary>
    private string ReadConcatenatedStrings()
    {
        var result = new StringBuilder();
        ReadQuotedString(result);
        while (true)
        {
            var savedPosition = _position;
            var savedLine = _line;
            while (!AtEnd && char.IsWhiteSpace(Current))
            {
                if (Current == '\n')
                {
                    _line++;
                }

                _position++;
            }

            if (!AtEnd && Current == '"')
            {
                ReadQuotedString(result);
                continue;
            }

            _position = savedPosition;
            _line = savedLine;
            return result.ToString();
        }
    }

    private void ReadQuotedString(StringBuilder result)
    {
        var start = Here;
        _position++;
        while (true)
        {
            if (AtEnd || Current == '\n')
            {
                throw new ConfigException(start, "unterminated string");
            }

            var c = Current;
            _position++;
            if (c == '"')
            {
                return;
            }

            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (AtEnd)
            {
                throw new ConfigException(start, "unterminated string");
            }

            ReadEscape(result);
        }
    }

    private void ReadEscape(StringBuilder result)
    {
        var c = Current;
        _position++;
        switch (c)
        {
            case '\n':
                _line++; // backslash-newline: the string continues on the next line
                return;
            case 'n': result.Append('\n'); return;
            case 't': result.Append('\t'); return;
            case 'a': result.Append('\a'); return;
            case 'b': result.Append('\b'); return;
            case 'f': result.Append('\f'); return;
            case 'r': result.Append('\r'); return;
            case 'v': result.Append('\v'); return;
        }

        if (c is >= '0' and <= '7')
        {
            var value = c - '0';
            for (var digits = 1; digits < 3 && !AtEnd && Current is >= '0' and <= '7'; digits++)
            {
                value = (value * 8) + (Current - '0');
                _position++;
            }

            result.Append((char)value);
            return;
        }

        // `\\`, `\"` and any other escaped character stand for themselves.
        result.Append(c);
    }

    /// <summary>`&lt;&lt;WORD` to a line holding only WORD; `&lt;&lt;-WORD` strips leading tabs.</summary>
    private string ReadHereDocument()
    {
        var start = Here;
        _position += 2;
        var stripTabs = !AtEnd && Current == '-';
        if (stripTabs)
        {
            _position++;
        }

        while (!AtEnd && (Current == ' ' || Current == '\t'))
        {
            _position++;
        }

        var lineEnd = _text.IndexOf('\n', _position);
        if (lineEnd < 0)
        {
            throw new ConfigException(start, "unterminated here-document");
        }

        var terminator = _text[_position..lineEnd].TrimEnd().Trim('"', '\'');
        if (terminator.Length == 0 || !terminator.All(ConfigSyntax.IsWordChar))
        {
            throw new ConfigException(start, "here-document needs a terminator word after <<");
        }

        _position = lineEnd + 1;
        _line++;
        var body = new StringBuilder();
        while (!AtEnd)
        {
            var end = _text.IndexOf('\n', _position);
            var line = _text[_position..(end < 0 ? _text.Length : end)];
            _position = end < 0 ? _text.Length : end + 1;
            _line++;
            if (stripTabs)
            {
                line = line.TrimStart('\t');
            }

            if (line.TrimEnd() == terminator)
            {
                // The newline after the terminator is still pending for the token that follows.
                _line--;
                _position = end < 0 ? _text.Length : end;
                return body.ToString();
            }

            body.Append(line).Append('\n');
        }

        throw new ConfigException(start, "unterminated here-document");
    }
}
