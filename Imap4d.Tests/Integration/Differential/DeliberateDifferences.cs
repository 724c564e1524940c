using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>Where a difference was found: which message, which FETCH data item.</summary>
internal sealed record DiffContext(string Message, string Item, ImapNode? Structure = null)
{
    /// <summary>The section of a BODY[section] item ("1.2.MIME"), or null for other items.</summary>
    public string? Section => Item.StartsWith("BODY[", StringComparison.Ordinal) ? Item[5..Item.IndexOf(']', StringComparison.Ordinal)] : null;

    /// <summary>"type/subtype" (lower case) of part <paramref name="path"/> in Dovecot's BODYSTRUCTURE, or null.</summary>
    public string? PartType(string path)
    {
        var node = Structure;
        foreach (string number in path.Split('.'))
        {
            if (node is not ImapList list || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            {
                return null;
            }

            if (list.Count > 0 && list[0] is ImapList)
            {
                node = n <= list.Count && list[n - 1] is ImapList child ? child : null;
            }
            else if (list.Count >= 9 && list[0] is ImapString { Latin1: var t } && t.Equals("message", StringComparison.OrdinalIgnoreCase)
                     && list[1] is ImapString { Latin1: var st } && st.Equals("rfc822", StringComparison.OrdinalIgnoreCase))
            {
                var inner = list[8];
                node = inner is ImapList { Count: > 0 } il && il[0] is ImapList ? (n <= il.Count ? il[n - 1] : null) : (n == 1 ? inner : null);
            }
            else
            {
                node = n == 1 && ReferenceEquals(node, Structure) ? node : null;
            }
        }

        if (node is ImapList { Count: > 0 } multi && multi[0] is ImapList)
        {
            return multi.Items.SkipWhile(x => x is ImapList).FirstOrDefault() is ImapString sub ? "multipart/" + sub.Latin1.ToLowerInvariant() : null;
        }

        return node is ImapList { Count: >= 2 } part && part[0] is ImapString a && part[1] is ImapString b
            ? (a.Latin1 + "/" + b.Latin1).ToLowerInvariant()
            : null;
    }
}

/// <summary>
/// One deliberate difference from Dovecot: where it applies, Dovecot's text is rewritten into
/// ours ("Dovecot text X becomes Y because Z"); the rewritten value must then be equal to ours
/// byte for byte. <see cref="Rewrite"/> returns null when the rule does not match the pair.
/// </summary>
internal sealed record DeliberateDifference(
    string Name,
    string Dovecot,
    string Ours,
    string Reason,
    Func<DiffContext, ImapNode, ImapNode, ImapNode?> Rewrite)
{
    public override string ToString() => $"{Name}: Dovecot {Dovecot} becomes {Ours} because {Reason}";
}

/// <summary>The list of deliberate differences, and the comparer that applies them.</summary>
internal static class DeliberateDifferences
{
    private static readonly byte[] ReplacementChar = [0xEF, 0xBF, 0xBD];

    public static readonly IReadOnlyList<DeliberateDifference> All =
    [
        new(
            "subject-white-space",
            "an ENVELOPE subject with runs of blanks (folding included) made one space, trailing blanks removed",
            "the raw subject, only CR and LF removed (\"a\\tb \" stays \"a\\tb \")",
            "RFC 5322 §2.2.3 unfolding removes only the CRLF; Dovecot rewrites the subject for display",
            (_, d, o) => IsEnvelope(d) && IsEnvelope(o) && Str(((ImapList)d)[1]) is { } ds && Str(((ImapList)o)[1]) is { } os
                && ds != os && CollapseBlanks(os) == ds
                ? ((ImapList)d).With(1, ((ImapList)o)[1])
                : null),
        new(
            "display-name-white-space",
            "an address name with blanks made one space (\"Daniel\\r\\n\\tAnderson\" becomes \"Daniel Anderson\")",
            "the name unfolded, only CR and LF removed (\"Daniel\\tAnderson\")",
            "RFC 5322 §3.2.4: only the CRLF of folding white space inside a quoted string is invisible, the blank is part of the name",
            (_, d, o) => IsAddress(d) && IsAddress(o) && Str(((ImapList)d)[0]) is { } dn && Str(((ImapList)o)[0]) is { } on
                && dn != on && CollapseBlanks(on) == dn
                ? ((ImapList)d).With(0, ((ImapList)o)[0])
                : null),
        new(
            "default-type-spelling",
            "\"text\" \"plain\" (\"charset\" \"us-ascii\") for a message that spells it e.g. TEXT/PLAIN; CHARSET=US-ASCII",
            "the message's own spelling",
            "the type and parameters are the sender's; only defaults we supply ourselves are lower case (Dovecot's BODY from doveadm keeps the spelling; over IMAP, BODY and BODYSTRUCTURE are both lower case)",
            (_, d, o) => IsPart(d) && IsPart(o)
                && Str(((ImapList)d)[0]) == "text" && Str(((ImapList)d)[1]) == "plain"
                && ((ImapList)d)[2].ToString() == "(\"charset\" \"us-ascii\")"
                && Lower(((ImapList)o)[0]) == "\"text\"" && Lower(((ImapList)o)[1]) == "\"plain\"" && Lower(((ImapList)o)[2]) == "(\"charset\" \"us-ascii\")"
                ? ((ImapList)d).With(0, ((ImapList)o)[0]).With(1, ((ImapList)o)[1]).With(2, ((ImapList)o)[2])
                : null),
        new(
            "close-delimiter-crlf",
            "a message/rfc822 part holding a multipart that ends with a close delimiter: size + 2 and lines + 1; BODY[N] of such a part, of a multipart part or N.TEXT ending with a close delimiter line (junk after it included) ends in \"--inner--\\r\\n\" (partials alike)",
            "the part ends after \"--inner--\"",
            "RFC 2046 (close-delimiter [CRLF epilogue], delimiter := CRLF dash-boundary) gives the CRLF before the next outer delimiter to that delimiter",
            (c, d, o) =>
            {
                if (IsPart(d) && IsPart(o) && Lower(((ImapList)d)[0]) == "\"message\"" && Lower(((ImapList)d)[1]) == "\"rfc822\""
                    && ((ImapList)d).Count >= 10 && ((ImapList)o).Count >= 10 && ((ImapList)d)[8] is ImapList { Count: > 0 } inner && inner[0] is ImapList
                    && Num(((ImapList)d)[6]) is { } dSize && Num(((ImapList)o)[6]) == dSize - 2
                    && Num(((ImapList)d)[9]) is { } dLines && Num(((ImapList)o)[9]) == dLines - 1)
                {
                    return ((ImapList)d).With(6, ((ImapList)o)[6]).With(9, ((ImapList)o)[9]);
                }

                // BODY[N] of a multipart or message part (or the TEXT of a message), whose last
                // line is a close delimiter (junk after it included): Dovecot adds the CRLF.
                if (c.Section is { } s && d is ImapString ds && o is ImapString os && ds.Bytes.Length == os.Bytes.Length + 2
                    && ds.Bytes.AsSpan().StartsWith(os.Bytes) && ds.Bytes.AsSpan().EndsWith("\r\n"u8)
                    && (Regex.IsMatch(os.Latin1, @"(^|\n)--[^\r\n]*$") || c.Item.EndsWith('>'))
                    && (s.EndsWith("TEXT", StringComparison.Ordinal) || c.PartType(s) is { } type
                        && (type.StartsWith("multipart/", StringComparison.Ordinal) || type.StartsWith("message/", StringComparison.Ordinal))))
                {
                    return os;
                }

                return null;
            }),
        new(
            "text-without-subtype",
            "\"text\" \"\" for Content-Type: text",
            "\"text\" \"plain\"",
            "a Content-Type without subtype is invalid, and RFC 2045 §5.2 says an invalid one means text/plain; charset=us-ascii",
            (_, d, o) => IsPart(d) && IsPart(o) && Str(((ImapList)d)[0])?.ToLowerInvariant() == "text" && Str(((ImapList)d)[1]) == ""
                && Str(((ImapList)o)[1]) == "plain"
                ? ((ImapList)d).With(1, ((ImapList)o)[1])
                : null),
        new(
            "quoted-local-part",
            "the mailbox of \"Quoted Local\"@example.com without quotes",
            "\"\\\"Quoted Local\\\"\"",
            "mailbox@host must still be a valid address when the local part needs quoting",
            (_, d, o) => IsAddress(d) && IsAddress(o) && Str(((ImapList)d)[2]) is { } dm && Str(((ImapList)o)[2]) is { } om
                && om.Length >= 2 && om[0] == '"' && om[^1] == '"' && Unquote(om) == dm
                ? ((ImapList)d).With(2, ((ImapList)o)[2])
                : null),
        new(
            "nul-in-address",
            "(NIL NIL \"a\" \"MISSING_DOMAIN\") for a NUL byte inside a@b (Dovecot's parser stops at the NUL)",
            "the whole address, the NUL sent as U+FFFD",
            "the NUL is a damaged byte, not the end of the field",
            (_, d, o) => IsAddress(d) && IsAddress(o) && Str(((ImapList)d)[3]) == "MISSING_DOMAIN"
                && ((ImapList)d)[2] is ImapString dm && ((ImapList)o)[2] is ImapString om
                && om.Bytes.AsSpan().StartsWith(dm.Bytes) && om.Bytes.AsSpan(dm.Bytes.Length).StartsWith(ReplacementChar)
                && ImapNode.Same(((ImapList)d)[0], ((ImapList)o)[0])
                ? o
                : null),
        new(
            "empty-list-elements",
            "(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\") for each empty element of an address list (\"Cc: ,,\")",
            "nothing (NIL when nothing is left)",
            "RFC 5322 §4.4 obsolete syntax allows empty list elements; they are not addresses",
            (_, d, o) =>
            {
                if (d is not ImapList dl || dl.Count == 0 || !dl.Items.All(IsAddress) || !(o is ImapNil || (o is ImapList ol && ol.Items.All(IsAddress))))
                {
                    return null;
                }

                var kept = dl.Items.Where(a => a.ToString() != "(NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\")").ToList();
                return kept.Count == dl.Count ? null : kept.Count == 0 ? ImapNil.Value : new ImapList(kept);
            }),
        new(
            "nesting-limit-header",
            "N.MIME of the part at the nesting limit (level 100, an application/octet-stream leaf) without its blank line",
            "the header with its blank line",
            "the blank line is in the message and ends that header like any other",
            (c, d, o) => c.Section is { } s && s.EndsWith(".MIME", StringComparison.Ordinal) && s.Count(ch => ch == '.') >= 99
                && d is ImapString ds && o is ImapString os && os.Bytes.Length == ds.Bytes.Length + 2
                && os.Bytes.AsSpan().StartsWith(ds.Bytes) && os.Bytes.AsSpan().EndsWith("\r\n\r\n"u8)
                ? os
                : null),
        new(
            "header-cut-by-boundary",
            "N.MIME or N.HEADER of a header directly followed by a boundary line, without the line break before that boundary (so without a blank line, or with none at all when the header is empty)",
            "the header with that line break (it ends the header's last line, or is the blank line)",
            "the line break is both the end of the header and the start of the delimiter; we count it in the header as Dovecot itself does in its BODYSTRUCTURE sizes and BODY[N] of a message/rfc822 part, so that N.HEADER + N.TEXT is BODY[N]",
            (c, d, o) => c.Section is { } s && (s.EndsWith(".MIME", StringComparison.Ordinal) || s.EndsWith(".HEADER", StringComparison.Ordinal))
                && d is ImapString ds && o is ImapString os && os.Bytes.Length == ds.Bytes.Length + 2
                && os.Bytes.AsSpan().StartsWith(ds.Bytes) && os.Bytes.AsSpan().EndsWith("\r\n"u8)
                && !EndsWithBlankLine(ds.Bytes)
                ? os
                : null),
        new(
            "header-fields-blank-line",
            "HEADER.FIELDS (and for an empty encapsulated message HEADER.FIELDS.NOT) ending with a blank line for a message that has no blank line (no body)",
            "no blank line, as in Dovecot's HEADER and top-level HEADER.FIELDS.NOT",
            "RFC 3501 §6.4.5: the blank line is included in all header fetches except for a message which has no body and no blank line",
            (c, d, o) => c.Section is { } s && s.Contains("HEADER.FIELDS", StringComparison.Ordinal)
                && d is ImapString ds && o is ImapString os && ds.Bytes.Length == os.Bytes.Length + 2
                && ds.Bytes.AsSpan().StartsWith(os.Bytes) && ds.Bytes.AsSpan().EndsWith("\r\n"u8)
                && (os.Bytes.Length == 0 || !os.Bytes.AsSpan().EndsWith("\r\n\r\n"u8))
                ? os
                : null),
        new(
            "message-global-sections",
            "an empty string for N.HEADER and N.TEXT of a message/global part",
            "the header and text of the encapsulated message",
            "RFC 6532 §3.7: message/global is a message like message/rfc822 (its BODYSTRUCTURE stays basic, as RFC 3501's grammar has only MESSAGE/RFC822)",
            (c, d, o) => c.Section is { } s && (s.EndsWith(".HEADER", StringComparison.Ordinal) || s.EndsWith(".TEXT", StringComparison.Ordinal))
                && c.PartType(s[..s.LastIndexOf('.')]) == "message/global"
                && d is ImapString { Bytes.Length: 0 } && o is ImapString
                ? o
                : null),
        new(
            "header-fields-past-part",
            "N.HEADER.FIELDS.NOT of an encapsulated header that has no blank line going on past the part: the next boundary line and the next part's header",
            "the fields of that header only",
            "the part ends at its boundary; what follows belongs to other parts",
            (c, d, o) => c.Section is { } s && s.Contains(".HEADER.FIELDS", StringComparison.Ordinal)
                && d is ImapString ds && o is ImapString os && ds.Bytes.Length > os.Bytes.Length
                && ds.Bytes.AsSpan().StartsWith(os.Bytes) && ds.Bytes.AsSpan(os.Bytes.Length).StartsWith("--"u8)
                ? os
                : null),
        new(
            "flag-order",
            "FLAGS in Dovecot's order (\\Answered \\Flagged ... \\Seen)",
            "FLAGS in our order",
            "FLAGS is a set (RFC 3501 §7.4.2 flag-fetch); the order means nothing",
            (c, d, o) => c.Item == "FLAGS" && d is ImapList dl && o is ImapList ol && dl.Count == ol.Count
                && dl.Items.Select(x => x.ToString()).Order(StringComparer.OrdinalIgnoreCase)
                    .SequenceEqual(ol.Items.Select(x => x.ToString()).Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase)
                ? o
                : null),
    ];

    /// <summary>
    /// Compares Dovecot's value with ours; every difference a deliberate rule does not explain
    /// is added to <paramref name="differences"/>, each rule that rewrote something is counted.
    /// </summary>
    public static void Compare(DiffContext context, string path, ImapNode dovecot, ImapNode ours, List<string> differences, Dictionary<string, List<string>> used)
    {
        if (ImapNode.Same(dovecot, ours))
        {
            return;
        }

        foreach (var rule in All)
        {
            var rewritten = rule.Rewrite(context, dovecot, ours);
            if (rewritten is not null && !ImapNode.Same(rewritten, dovecot))
            {
                lock (used)
                {
                    if (!used.TryGetValue(rule.Name, out var where))
                    {
                        used[rule.Name] = where = [];
                    }

                    where.Add($"{context.Message} {context.Item}{(path == "" ? "" : " at " + path)}");
                }

                dovecot = rewritten;
                if (ImapNode.Same(dovecot, ours))
                {
                    return;
                }
            }
        }

        if (dovecot is ImapList dl && ours is ImapList ol && dl.Count == ol.Count)
        {
            for (int i = 0; i < dl.Count; i++)
            {
                Compare(context, $"{path}/{i}", dl[i], ol[i], differences, used);
            }

            return;
        }

        string d = dovecot.ToString(), o = ours.ToString();
        int common = 0;
        while (common < d.Length && common < o.Length && d[common] == o[common])
        {
            common++;
        }

        // Long values: from a little before the first difference.
        int from = d.Length > 600 || o.Length > 600 ? Math.Max(0, common - 120) : 0;
        string window = from > 0 ? $" (from character {from} of {d.Length} / {o.Length})" : "";
        differences.Add($"{context.Message} {context.Item}{(path == "" ? "" : " at " + path)}{window}:\n    Dovecot: {Shorten(d[from..])}\n    ours:    {Shorten(o[from..])}");
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "...";

    private static bool EndsWithBlankLine(byte[] b) =>
        b.AsSpan().EndsWith("\n\r\n"u8) || b.AsSpan().EndsWith("\n\n"u8) || b is [(byte)'\r', (byte)'\n'] || b is [(byte)'\n'];

    private static bool IsEnvelope(ImapNode n) =>
        n is ImapList { Count: 10 } l && l.Items.Skip(2).Take(6).All(x => x is ImapNil or ImapList);

    private static bool IsPart(ImapNode n) =>
        n is ImapList { Count: >= 7 } l && l[0] is ImapString && l[1] is ImapString;

    private static bool IsAddress(ImapNode n) =>
        n is ImapList { Count: 4 } l && l.Items.All(x => x is ImapNil or ImapString);

    private static string? Str(ImapNode n) => n is ImapString s ? s.Latin1 : null;

    private static string Lower(ImapNode n) => n.ToString().ToLowerInvariant();

    private static long? Num(ImapNode n) =>
        n is ImapAtom a && long.TryParse(a.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;

    private static string CollapseBlanks(string s) => Regex.Replace(s, "[ \t]+", " ").TrimEnd(' ');

    private static string Unquote(string quoted)
    {
        var sb = new StringBuilder();
        for (int i = 1; i < quoted.Length - 1; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length - 1)
            {
                i++;
            }

            sb.Append(quoted[i]);
        }

        return sb.ToString();
    }
}
