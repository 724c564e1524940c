using System.Text;

namespace Imap4d.Mime;

/// <summary>
/// Parses RFC 2822 address lists leniently: groups, display names (kept raw), comments, route
/// addresses, obsolete forms. Never throws; garbage yields what can be recovered.
/// </summary>
public static class AddressParser
{
    private const int MaxAddresses = 10000;

    public static IReadOnlyList<Address> Parse(string? value)
    {
        var list = new List<Address>();
        if (value is null)
        {
            return list;
        }

        var p = new StructuredReader(value);
        bool inGroup = false;
        while (list.Count < MaxAddresses)
        {
            p.SkipCfws();
            if (p.AtEnd)
            {
                break;
            }

            char c = p.Peek;
            if (c == ',')
            {
                p.Pos++;
                continue;
            }

            if (c == ';')
            {
                p.Pos++;
                if (inGroup)
                {
                    list.Add(new Address(null, null, null, null));
                    inGroup = false;
                }

                continue;
            }

            int before = p.Pos;
            ParseOne(p, list, ref inGroup);
            if (p.Pos == before)
            {
                p.Pos++; // never loop on garbage
            }
        }

        if (inGroup)
        {
            list.Add(new Address(null, null, null, null));
        }

        return list;
    }

    private static void ParseOne(StructuredReader p, List<Address> list, ref bool inGroup)
    {
        var words = new List<string>();
        var local = new StringBuilder();
        string? comment = null;
        while (true)
        {
            string? cm = p.SkipCfws();
            comment ??= cm;
            if (p.AtEnd)
            {
                break;
            }

            char c = p.Peek;
            if (c == '"')
            {
                int start = p.Pos;
                string q = p.ReadQuoted();
                words.Add(q);
                local.Append(p.Source, start, p.Pos - start);
            }
            else if (c is '<' or '@' or ':' or ',' or ';' or '>')
            {
                break;
            }
            else
            {
                string atom = p.ReadAtom();
                if (atom.Length == 0)
                {
                    p.Pos++;
                    continue;
                }

                words.Add(atom);
                local.Append(atom);
            }
        }

        string? phrase = words.Count > 0 ? string.Join(' ', words) : null;
        if (!p.AtEnd && p.Peek == ':' && !inGroup)
        {
            p.Pos++;
            list.Add(new Address(null, null, phrase ?? "", null));
            inGroup = true;
            return;
        }

        if (!p.AtEnd && p.Peek == ':')
        {
            // A nested group is not allowed: treat the colon as garbage.
            p.Pos++;
            return;
        }

        if (!p.AtEnd && p.Peek == '<')
        {
            p.Pos++;
            ParseAngle(p, out string? route, out string? mailbox, out string? host);
            string? trailing = p.SkipCfws();
            list.Add(new Address(phrase ?? trailing ?? comment, route, mailbox ?? Address.MissingMailbox, host ?? Address.MissingDomain));
            SkipToSeparator(p);
            return;
        }

        if (!p.AtEnd && p.Peek == '@')
        {
            p.Pos++;
            string domain = ReadDomain(p, out string? domainComment);
            string? trailing = p.SkipCfws() ?? domainComment;
            string mailbox = local.Length > 0 ? local.ToString() : Address.MissingMailbox;
            list.Add(new Address(trailing ?? comment, null, mailbox, domain.Length > 0 ? domain : Address.MissingDomain));
            SkipToSeparator(p);
            return;
        }

        if (words.Count == 1)
        {
            list.Add(new Address(comment, null, local.ToString(), Address.MissingDomain));
        }
        else if (words.Count > 1)
        {
            list.Add(new Address(phrase, null, Address.MissingMailbox, Address.MissingDomain));
        }

        if (!p.AtEnd && p.Peek == '>')
        {
            p.Pos++;
        }
    }

    private static void ParseAngle(StructuredReader p, out string? route, out string? mailbox, out string? host)
    {
        route = null;
        mailbox = null;
        host = null;
        p.SkipCfws();
        if (!p.AtEnd && p.Peek == '@')
        {
            // Obsolete route: @a,@b:
            var sb = new StringBuilder();
            while (!p.AtEnd && p.Peek is '@' or ',')
            {
                char c = p.Peek;
                p.Pos++;
                if (c == ',')
                {
                    p.SkipCfws();
                    if (!p.AtEnd && p.Peek != '@')
                    {
                        break;
                    }

                    sb.Append(',');
                    continue;
                }

                sb.Append('@').Append(ReadDomain(p));
                p.SkipCfws();
            }

            if (!p.AtEnd && p.Peek == ':')
            {
                p.Pos++;
                route = sb.ToString();
            }
        }

        var local = new StringBuilder();
        while (true)
        {
            p.SkipCfws();
            if (p.AtEnd)
            {
                break;
            }

            char c = p.Peek;
            if (c == '"')
            {
                int start = p.Pos;
                p.ReadQuoted();
                local.Append(p.Source, start, p.Pos - start);
            }
            else if (c is '@' or '>' or ',' or ';' or '<' or ':')
            {
                break;
            }
            else
            {
                string atom = p.ReadAtom();
                if (atom.Length == 0)
                {
                    p.Pos++;
                }

                local.Append(atom);
            }
        }

        if (local.Length > 0)
        {
            mailbox = local.ToString();
        }

        if (!p.AtEnd && p.Peek == '@')
        {
            p.Pos++;
            string d = ReadDomain(p);
            host = d.Length > 0 ? d : null;
        }

        while (!p.AtEnd && p.Peek != '>' && p.Peek != ',' && p.Peek != ';')
        {
            p.Pos++;
        }

        if (!p.AtEnd && p.Peek == '>')
        {
            p.Pos++;
        }
    }

    private static string ReadDomain(StructuredReader p) => ReadDomain(p, out _);

    /// <summary>Reads a domain; <paramref name="comment"/> gets the last comment seen in or after it.</summary>
    private static string ReadDomain(StructuredReader p, out string? comment)
    {
        comment = null;
        var sb = new StringBuilder();
        while (true)
        {
            comment = p.SkipCfws() ?? comment;
            if (p.AtEnd)
            {
                break;
            }

            char c = p.Peek;
            if (c == '[')
            {
                int end = p.Source.IndexOf(']', p.Pos);
                end = end < 0 ? p.Source.Length : end + 1;
                sb.Append(p.Source, p.Pos, end - p.Pos);
                p.Pos = end;
                continue;
            }

            string atom = p.ReadAtom();
            if (atom.Length == 0)
            {
                break;
            }

            sb.Append(atom);
        }

        return sb.ToString();
    }

    private static void SkipToSeparator(StructuredReader p)
    {
        while (!p.AtEnd && p.Peek != ',' && p.Peek != ';')
        {
            if (p.Peek == '"')
            {
                p.ReadQuoted();
            }
            else if (p.Peek == '(')
            {
                p.ReadComment();
            }
            else
            {
                p.Pos++;
            }
        }
    }
}
