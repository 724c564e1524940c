namespace Imap4d.Config;

/// <summary>Kinds of lexical tokens of the mailutils configuration syntax.</summary>
public enum ConfigTokenKind
{
    /// <summary>An unquoted word: identifiers, paths, numbers, URLs, `$home`...</summary>
    Word,

    /// <summary>A quoted string (adjacent ones already concatenated) or a here-document.</summary>
    String,

    OpenBrace,
    CloseBrace,
    OpenParen,
    CloseParen,
    Comma,
    Semicolon,

    /// <summary>A `#include FILE` line; the text is the file name.</summary>
    IncludeDirective,

    /// <summary>A `#include_once FILE` line; the text is the file name.</summary>
    IncludeOnceDirective,

    EndOfFile,
}
