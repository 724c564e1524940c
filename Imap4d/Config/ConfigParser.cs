namespace Imap4d.Config;

/// <summary>
/// Builds configuration nodes from tokens:
/// <code>
/// statements := { statement | '#include' FILE }
/// statement  := WORD value* ';'
///             | WORD value* '{' statements '}' [';']
/// value      := WORD | STRING | '(' [ value { ',' value } [','] ] ')'
/// </code>
/// `include FILE;` splices the named file (or `FILE/imap4d` when FILE is a directory) in place.
/// </summary>
public sealed class ConfigParser
{
    private readonly IReadOnlyList<ConfigToken> _tokens;
    private readonly ConfigReadContext _context;
    private int _index;

    private ConfigParser(IReadOnlyList<ConfigToken> tokens, ConfigReadContext context)
    {
        _tokens = tokens;
        _context = context;
    }

    /// <summary>Parses configuration text; relative includes resolve against the directory of <paramref name="file"/>.</summary>
    public static IReadOnlyList<ConfigNode> ParseText(string text, string file, ConfigReadContext? context = null) =>
        new ConfigParser(ConfigLexer.Tokenize(text, file), context ?? new ConfigReadContext()).ParseStatements(null);

    /// <summary>Reads and parses one file (reporting it when the context is verbose); an unreadable file is a <see cref="ConfigException"/>.</summary>
    public static IReadOnlyList<ConfigNode> ParseFile(string path, ConfigReadContext context)
    {
        var fullPath = Path.GetFullPath(path);
        context.Verbose?.WriteLine($"{ConfigLoader.ProgramName}: parsing file `{path}'");
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new SourceLocation(path, 0), $"cannot read configuration file: {e.Message}");
        }

        context.Enter(fullPath);
        try
        {
            return ParseText(text, path, context);
        }
        finally
        {
            context.Leave();
            context.Verbose?.WriteLine($"{ConfigLoader.ProgramName}: finished parsing file `{path}'");
        }
    }

    /// <summary>Parses the values of one statement, e.g. the VALUE of `--set PATH=VALUE`.</summary>
    public static IReadOnlyList<ConfigValue> ParseValues(string text, SourceLocation location)
    {
        var parser = new ConfigParser(new ConfigLexer(text, location.File).ReadAll(), new ConfigReadContext());
        var values = parser.ReadValues();
        if (parser.Current.Kind == ConfigTokenKind.Semicolon)
        {
            parser.Advance();
        }

        var rest = parser.Current;
        if (rest.Kind != ConfigTokenKind.EndOfFile)
        {
            throw new ConfigException(location, $"unexpected \"{rest}\" in value");
        }

        return values;
    }

    private ConfigToken Current => _tokens[_index];

    private ConfigToken Advance() => _tokens[_index++];

    /// <summary>Statements up to the end of file, or up to the `}` closing <paramref name="block"/>.</summary>
    private List<ConfigNode> ParseStatements(ConfigToken? block)
    {
        var nodes = new List<ConfigNode>();
        while (true)
        {
            var token = Advance();
            switch (token.Kind)
            {
                case ConfigTokenKind.EndOfFile:
                    if (block is { } open)
                    {
                        throw new ConfigException(open.Location, $"block \"{open.Text}\" is not closed (missing \"}}\")");
                    }

                    return nodes;
                case ConfigTokenKind.CloseBrace when block is not null:
                    return nodes;
                case ConfigTokenKind.IncludeDirective:
                case ConfigTokenKind.IncludeOnceDirective:
                    Include(token.Text, token.Location, once: token.Kind == ConfigTokenKind.IncludeOnceDirective, nodes);
                    break;
                case ConfigTokenKind.Word:
                    ParseStatement(token, nodes);
                    break;
                default:
                    throw new ConfigException(token.Location, $"unexpected \"{token}\"");
            }
        }
    }

    private void ParseStatement(ConfigToken name, List<ConfigNode> into)
    {
        var values = ReadValues();
        var end = Current;
        switch (end.Kind)
        {
            case ConfigTokenKind.Semicolon:
                Advance();
                if (name.Text == "include")
                {
                    IncludeStatement(name, values, into);
                }
                else
                {
                    into.Add(new ConfigNode(name.Text, values, null, name.Location));
                }

                return;
            case ConfigTokenKind.OpenBrace:
                Advance();
                var children = ParseStatements(name);
                if (Current.Kind == ConfigTokenKind.Semicolon)
                {
                    Advance();
                }

                into.Add(new ConfigNode(name.Text, values, children, name.Location));
                return;
            default:
                var last = values.Count > 0 ? LastLocation(values[^1]) : name.Location;
                throw new ConfigException(last, $"missing \";\" after statement \"{name.Text}\"");
        }
    }

    private static SourceLocation LastLocation(ConfigValue value) =>
        value.Items is { Count: > 0 } items ? LastLocation(items[^1]) : value.Location;

    private List<ConfigValue> ReadValues()
    {
        var values = new List<ConfigValue>();
        while (Current.Kind is ConfigTokenKind.Word or ConfigTokenKind.String or ConfigTokenKind.OpenParen)
        {
            values.Add(ReadValue());
        }

        return values;
    }

    private ConfigValue ReadValue()
    {
        var token = Advance();
        switch (token.Kind)
        {
            case ConfigTokenKind.Word:
            case ConfigTokenKind.String:
                return ConfigValue.String(token.Text, token.Location);
            case ConfigTokenKind.OpenParen:
                return ReadListRest(token);
            default:
                throw new ConfigException(token.Location, $"expected a value, found \"{token}\"");
        }
    }

    private ConfigValue ReadListRest(ConfigToken open)
    {
        var items = new List<ConfigValue>();
        while (Current.Kind != ConfigTokenKind.CloseParen)
        {
            items.Add(ReadValue());
            var separator = Current;
            if (separator.Kind == ConfigTokenKind.Comma)
            {
                Advance();
            }
            else if (separator.Kind != ConfigTokenKind.CloseParen)
            {
                var where = separator.Kind == ConfigTokenKind.EndOfFile ? open.Location : separator.Location;
                throw new ConfigException(where, $"expected \",\" or \")\" in list, found \"{separator}\"");
            }
        }

        Advance();
        return ConfigValue.List(items, open.Location);
    }

    private void IncludeStatement(ConfigToken name, List<ConfigValue> values, List<ConfigNode> into)
    {
        if (values is not [{ Text: { } target }])
        {
            throw new ConfigException(name.Location, "include takes one file name");
        }

        Include(target, name.Location, once: false, into);
    }

    /// <summary>Splices a file; a directory stands for its file named after the program, if any (as mailutils does).</summary>
    private void Include(string target, SourceLocation at, bool once, List<ConfigNode> into)
    {
        var path = target;
        if (!Path.IsPathRooted(path))
        {
            var baseDirectory = Path.GetDirectoryName(at.File);
            path = string.IsNullOrEmpty(baseDirectory) ? path : Path.Combine(baseDirectory, path);
        }

        if (Directory.Exists(path))
        {
            path = Path.Combine(path, _context.ProgramName);
            if (!File.Exists(path))
            {
                return;
            }
        }

        var fullPath = Path.GetFullPath(path);
        if (_context.IsOpen(fullPath))
        {
            throw new ConfigException(at, $"recursive inclusion of \"{path}\"");
        }

        if (once && _context.WasRead(fullPath))
        {
            return;
        }

        if (!File.Exists(fullPath))
        {
            throw new ConfigException(at, $"cannot include \"{path}\": no such file");
        }

        into.AddRange(ParseFile(path, _context));
    }
}
