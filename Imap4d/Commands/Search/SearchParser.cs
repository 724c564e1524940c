using Imap4d.Mime;
using Imap4d.Protocol;
using Imap4d.Storage;

namespace Imap4d.Commands.Search;

/// <summary>
/// Parses the arguments of SEARCH (RFC 3501 §6.4.4): <c>[CHARSET name] key...</c> into a tree
/// of <see cref="SearchKey"/>. Several keys in a row, and a parenthesized list, mean AND.
/// Broken syntax throws <see cref="ImapSyntaxException"/> (BAD); a charset we cannot convert
/// throws <see cref="SearchCharsetException"/> (NO [BADCHARSET]).
/// </summary>
public static class SearchParser
{
    /// <summary>How deep NOT, OR and lists may nest.</summary>
    public const int MaxDepth = 64;

    public static SearchKey Parse(ArgReader args)
    {
        string? charset = null;
        if (args.TryAtom("CHARSET"))
        {
            charset = args.ExpectAString("charset");
        }

        return Parse(args, charset);
    }

    /// <summary>The keys after a charset given apart (SORT and THREAD name it without CHARSET, RFC 5256).</summary>
    public static SearchKey Parse(ArgReader args, string? charset)
    {
        if (charset is not null && !IsSupported(charset))
        {
            throw new SearchCharsetException(charset);
        }

        var keys = new List<SearchKey>();
        do
        {
            keys.Add(ParseKey(args, charset, 0));
        }
        while (!args.AtEnd);

        return keys.Count == 1 ? keys[0] : new AndKey(keys);
    }

    /// <summary>UTF-8, US-ASCII and the legacy charsets <see cref="Charsets"/> decodes exactly.</summary>
    public static bool IsSupported(string charset) =>
        charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) ||
        charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase) ||
        Charsets.IsKnown(charset);

    private static SearchKey ParseKey(ArgReader args, string? charset, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new ImapSyntaxException("Search keys nested too deeply");
        }

        var arg = args.ExpectAny("search key");
        if (arg is ListArg list)
        {
            var inner = new ArgReader(list.Items);
            var keys = new List<SearchKey>();
            while (!inner.AtEnd)
            {
                keys.Add(ParseKey(inner, charset, depth + 1));
            }

            return keys.Count switch
            {
                0 => throw new ImapSyntaxException("Empty search key list"),
                1 => keys[0],
                _ => new AndKey(keys),
            };
        }

        if (arg is not AtomArg atom)
        {
            throw new ImapSyntaxException("Invalid search key");
        }

        switch (atom.Value.ToUpperInvariant())
        {
            case "ALL": return new AllKey();
            case "ANSWERED": return new FlagKey(MessageFlags.Answered, true);
            case "DELETED": return new FlagKey(MessageFlags.Deleted, true);
            case "DRAFT": return new FlagKey(MessageFlags.Draft, true);
            case "FLAGGED": return new FlagKey(MessageFlags.Flagged, true);
            case "SEEN": return new FlagKey(MessageFlags.Seen, true);
            case "UNANSWERED": return new FlagKey(MessageFlags.Answered, false);
            case "UNDELETED": return new FlagKey(MessageFlags.Deleted, false);
            case "UNDRAFT": return new FlagKey(MessageFlags.Draft, false);
            case "UNFLAGGED": return new FlagKey(MessageFlags.Flagged, false);
            case "UNSEEN": return new FlagKey(MessageFlags.Seen, false);
            case "RECENT": return new RecentKey(true);
            case "OLD": return new RecentKey(false);
            case "NEW": return new AndKey([new RecentKey(true), new FlagKey(MessageFlags.Seen, false)]);
            case "KEYWORD": return new KeywordKey(args.ExpectAtom("keyword"), true);
            case "UNKEYWORD": return new KeywordKey(args.ExpectAtom("keyword"), false);
            case "LARGER": return new SizeKey(args.ExpectNumber("size"), larger: true);
            case "SMALLER": return new SizeKey(args.ExpectNumber("size"), larger: false);
            case "BEFORE": return new InternalDateKey(ExpectDate(args), DateRelation.Before);
            case "ON": return new InternalDateKey(ExpectDate(args), DateRelation.On);
            case "SINCE": return new InternalDateKey(ExpectDate(args), DateRelation.Since);
            case "SAVEDBEFORE": return new SaveDateKey(ExpectDate(args), DateRelation.Before);
            case "SAVEDON": return new SaveDateKey(ExpectDate(args), DateRelation.On);
            case "SAVEDSINCE": return new SaveDateKey(ExpectDate(args), DateRelation.Since);
            case "SAVEDATESUPPORTED": return new SaveDateSupportedKey();
            case "SENTBEFORE": return new SentDateKey(ExpectDate(args), DateRelation.Before);
            case "SENTON": return new SentDateKey(ExpectDate(args), DateRelation.On);
            case "SENTSINCE": return new SentDateKey(ExpectDate(args), DateRelation.Since);
            case "FROM": return new HeaderKey("From", ExpectText(args, charset), address: true);
            case "TO": return new HeaderKey("To", ExpectText(args, charset), address: true);
            case "CC": return new HeaderKey("Cc", ExpectText(args, charset), address: true);
            case "BCC": return new HeaderKey("Bcc", ExpectText(args, charset), address: true);
            case "SUBJECT": return new HeaderKey("Subject", ExpectText(args, charset), address: false);
            case "HEADER":
                string field = ExpectText(args, charset);
                return new HeaderKey(field, ExpectText(args, charset), address: false);
            case "BODY": return new BodyKey(ExpectText(args, charset), includeHeader: false);
            case "TEXT": return new BodyKey(ExpectText(args, charset), includeHeader: true);
            case "UID": return new SequenceKey(args.ExpectSequenceSet(), byUid: true);
            case "OLDER": return new AgeKey(args.ExpectNumber("interval"), older: true);
            case "YOUNGER": return new AgeKey(args.ExpectNumber("interval"), older: false);
            case "MODSEQ": return ParseModSeq(args);
            case "NOT": return new NotKey(ParseKey(args, charset, depth + 1));
            case "OR":
                var left = ParseKey(args, charset, depth + 1);
                return new OrKey(left, ParseKey(args, charset, depth + 1));
        }

        return SequenceSet.TryParse(atom.Value, out var set)
            ? new SequenceKey(set, byUid: false)
            : throw new ImapSyntaxException("Unknown search key " + atom.Value);
    }

    /// <summary>RFC 7162: <c>MODSEQ ["/flags/name" priv|shared|all] n</c>.</summary>
    private static ModSeqKey ParseModSeq(ArgReader args)
    {
        if (args.Peek() is StringArg)
        {
            string entry = args.ExpectAString("entry name");
            if (!entry.StartsWith("/flags/", StringComparison.OrdinalIgnoreCase))
            {
                throw new ImapSyntaxException("Invalid entry name " + entry);
            }

            string type = args.ExpectAtom("entry type").ToLowerInvariant();
            if (type is not ("priv" or "shared" or "all"))
            {
                throw new ImapSyntaxException("Invalid entry type " + type);
            }
        }

        return new ModSeqKey(CondStore.ExpectModSeq(args));
    }

    /// <summary>A date: date-text, bare or quoted ("1-Feb-1994").</summary>
    private static DateOnly ExpectDate(ArgReader args)
    {
        string text = args.ExpectAString("date");
        return ImapDate.TryParseDate(text, out var date) ? date : throw new ImapSyntaxException("Invalid date " + text);
    }

    /// <summary>
    /// An astring in the command's charset. Without CHARSET (US-ASCII by the RFC) 8-bit bytes are
    /// read as UTF-8 when valid, as ISO-8859-1 otherwise, as many clients send UTF-8 anyway.
    /// </summary>
    private static string ExpectText(ArgReader args, string? charset)
    {
        byte[] bytes = args.ExpectAStringBytes("search string");
        if (charset is null || charset.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase) ||
            charset.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
        {
            return RawText.ToText(RawText.FromBytes(bytes));
        }

        return Charsets.Decode(charset, bytes);
    }
}
