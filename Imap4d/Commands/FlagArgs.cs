using Imap4d.Protocol;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>Parses flag lists (APPEND, STORE): system flags and keyword atoms; \Recent cannot be set.</summary>
internal static class FlagArgs
{
    /// <summary>Reads flags from a list reader or from the remaining atoms (STORE without parentheses).</summary>
    public static FlagSet Read(ArgReader items)
    {
        var system = MessageFlags.None;
        var keywords = new List<string>();
        while (!items.AtEnd)
        {
            string flag = items.ExpectAtom("flag");
            if (flag.StartsWith('\\'))
            {
                var known = FlagSet.SystemFlagOf(flag);
                if (known == MessageFlags.None && !flag.Equals(@"\Recent", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ImapSyntaxException("Unknown system flag " + flag);
                }

                system |= known;
            }
            else if (IsKeyword(flag))
            {
                keywords.Add(flag);
            }
            else
            {
                throw new ImapSyntaxException("Invalid flag " + flag);
            }
        }

        return FlagSet.Of(system, keywords.ToArray());
    }

    /// <summary>flag-keyword = atom: no wildcards, no "]" either (it would end a response code).</summary>
    private static bool IsKeyword(string flag) =>
        flag.Length > 0 && flag.IndexOfAny(['%', '*', ']', '[', '\\']) < 0;
}
