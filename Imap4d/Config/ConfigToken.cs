namespace Imap4d.Config;

/// <summary>One token with its text (for words, strings and include directives) and location.</summary>
public readonly record struct ConfigToken(ConfigTokenKind Kind, string Text, SourceLocation Location)
{
    public override string ToString() => Kind switch
    {
        ConfigTokenKind.Word => Text,
        ConfigTokenKind.String => ConfigSyntax.Quote(Text),
        ConfigTokenKind.OpenBrace => "{",
        ConfigTokenKind.CloseBrace => "}",
        ConfigTokenKind.OpenParen => "(",
        ConfigTokenKind.CloseParen => ")",
        ConfigTokenKind.Comma => ",",
        ConfigTokenKind.Semicolon => ";",
        ConfigTokenKind.EndOfFile => "end of file",
        _ => "#include " + Text,
    };
}
