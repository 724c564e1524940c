using System.Text;

namespace Imap4d.Config;

/// <summary>Character classes of the configuration syntax, shared by the lexer and the writers.</summary>
public static class ConfigSyntax
{
    /// <summary>Characters that end an unquoted word.</summary>
    private const string Delimiters = ";{}(),\"";

    public static bool IsWordChar(char c) => !char.IsWhiteSpace(c) && !Delimiters.Contains(c);

    /// <summary>True when a word starting with these characters would be read as something else.</summary>
    public static bool StartsSpecially(string text) =>
        text.StartsWith('#') || text.StartsWith("//", StringComparison.Ordinal)
        || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith("<<", StringComparison.Ordinal);

    /// <summary>The text as it would be written in a file: bare when it is a plain word, else quoted.</summary>
    public static string Quote(string text)
    {
        if (text.Length > 0 && text.All(IsWordChar) && !StartsSpecially(text))
        {
            return text;
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when c < ' ' => "\\" + Convert.ToString(c, 8).PadLeft(3, '0'),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }
}
