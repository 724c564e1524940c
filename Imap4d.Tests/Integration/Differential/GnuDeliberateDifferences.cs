using System.Text.RegularExpressions;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>
/// One deliberate difference from GNU imap4d 3.15: "GNU does X, we do Y, because Z". Where it
/// applies, <see cref="Rewrite"/> brings the two answers to a common form (usually GNU's into
/// ours); they must then be equal. It returns null when the rule does not apply.
/// </summary>
internal sealed record GnuDeliberateDifference(
    string Name,
    string Gnu,
    string Ours,
    string Reason,
    Func<GnuSessionTranscript, GnuSessionTranscript, (GnuSessionTranscript Gnu, GnuSessionTranscript Ours)?> Rewrite)
{
    public override string ToString() => $"{Name}: GNU {Gnu}; we {Ours}; because {Reason}";
}

/// <summary>
/// The named differences from GNU imap4d that <see cref="GnuDifferentialTests"/> accepts; each
/// is a place where GNU breaks RFC 3501 (or its own documentation) and we keep to the RFC, or
/// where we add what an extension we announce requires.
/// </summary>
internal static partial class GnuDeliberateDifferences
{
    public static readonly IReadOnlyList<GnuDeliberateDifference> All =
    [
        new(
            "expunged-response",
            "answers EXPUNGE with \"* n EXPUNGED\" followed by \"* n EXISTS\"",
            "answer \"* n EXPUNGE\"",
            "RFC 3501 §7.4.1 defines EXPUNGE; no client knows EXPUNGED, so GNU's clients keep showing expunged messages",
            (g, o) => g.Lines.Any(l => l.EndsWith(" EXPUNGED", StringComparison.Ordinal))
                ? (g.MapLines(l => l.EndsWith(" EXPUNGED", StringComparison.Ordinal) ? l[..^1]
                    : ExistsLine().IsMatch(l) && !o.Lines.Any(ExistsLine().IsMatch) ? null : l), o)
                : null),
        new(
            "children-attributes",
            "gives no \\HasChildren / \\HasNoChildren",
            "add them",
            "we announce CHILDREN (RFC 3348), which requires them",
            (g, o) => o.Lines.Any(l => l.Contains("\\haschildren") || l.Contains("\\hasnochildren"))
                ? (g, o.MapLines(l => ListLine().IsMatch(l) ? ChildrenAttribute().Replace(l, "").Replace("( ", "(").Replace(" )", ")") : l))
                : null),
        new(
            "inbox-delimiter",
            "lists INBOX with the delimiter NIL",
            "list it with the personal namespace's delimiter \"/\"",
            "NIL says the account has no hierarchy at all (RFC 3501 §7.2.2); clients that take the delimiter from the INBOX line then "
            + "treat every folder as flat; Dovecot gives the delimiter too",
            (g, o) => g.Lines.Any(l => l.EndsWith(" NIL INBOX", StringComparison.Ordinal))
                ? (g.MapLines(l => l.EndsWith(" NIL INBOX", StringComparison.Ordinal) ? l[..^" NIL INBOX".Length] + " \"/\" INBOX" : l), o)
                : null),
        new(
            "permanentflags-keywords",
            "offers PERMANENTFLAGS without \\*",
            "add \\*",
            "our mailboxes keep keywords (RFC 3501 §7.1: \\* means new keywords may be created)",
            (g, o) => (g, o.MapLines(l => l.StartsWith("* OK [PERMANENTFLAGS (", StringComparison.Ordinal) ? l.Replace("\\* ", "") : l))),
        new(
            "seen-on-examine",
            "sets \\Seen when a message body is fetched from a mailbox opened with EXAMINE",
            "leave the mailbox unchanged",
            "RFC 3501 §6.3.2: EXAMINE opens the mailbox read-only, no change to the permanent state is allowed",
            (g, o) => g.Session == "ExamineIsReadOnly"
                ? (g.MapLines(l => AsksForFlags().IsMatch(g.Command) ? l.Replace(" \\Seen)", ")").Replace("(\\Seen)", "()")
                    : l.Contains(" FETCH FLAGS ", StringComparison.Ordinal) ? null
                    : l.Contains(" FETCH order: ", StringComparison.Ordinal) ? l.Replace("order: FLAGS ", "order: ").Replace(" FLAGS", "")
                    : l), o)
                : null),
        new(
            "bodystructure-details",
            "gives BODY/BODYSTRUCTURE with: no default charset, the header's case of the encoding (\"7BIT\" by default), extension data "
            + "(\"NIL NIL NIL\") inside a non-extensible multipart BODY, no body location, RFC 2231 parameters rewritten into encoded words",
            "give the RFC 2045 default charset us-ascii, \"7bit\" by default, no extension data in BODY, the body location (NIL), "
            + "RFC 2231 parameters as they are",
            "RFC 3501 §7.4.2 grammar: body-type-mpart in BODY has no extension data, body-ext-1part includes body-fld-loc; RFC 2045 §5.2 "
            + "defaults the charset; RFC 2231 parameters must stay as sent (Dovecot agrees; checked by DovecotDifferentialTests)",
            (g, o) => g.Lines.Count == o.Lines.Count && g.Lines.Zip(o.Lines).All(p => p.First == p.Second || (IsStructure(p.First) && IsStructure(p.Second)))
                ? (g.WithLines(o.Lines), o)
                : null),
        new(
            "create-inbox",
            "answers CREATE INBOX with BAD",
            "answer NO",
            "the command is well-formed (RFC 3501 §6.3.3: creating INBOX is an error, i.e. NO; BAD is for protocol errors)",
            (g, o) => g.Command == "CREATE INBOX" && g.Status == "BAD" ? (g with { Status = "NO" }, o) : null),
        new(
            "copy-keeps-flags",
            "drops the flags of copied messages",
            "copy them with their flags",
            "RFC 3501 §6.4.7: the copy SHOULD keep the flags and internal date",
            (g, o) => g.Session == "StoreCopyExpunge" && g.Command == "FETCH 1:* (UID FLAGS)" && o.Lines.Contains("* 2 FETCH FLAGS (\\Answered \\Draft \\Recent \\Seen)")
                ? (g.MapLines(l => l == "* 2 FETCH FLAGS (\\Recent)" ? "* 2 FETCH FLAGS (\\Answered \\Draft \\Recent \\Seen)" : l), o)
                : null),
        new(
            "append-internal-date",
            "stores APPEND's date-time with its zone replaced by +0000 (another instant), and without a date-time takes the Date: header",
            "keep the date-time as given, zone included, and use the time of the APPEND without one",
            "RFC 3501 §6.3.11: the internal date is the date-time argument, or else the current date and time",
            (g, o) => g.Session == "Append" && g.Command.StartsWith("FETCH", StringComparison.Ordinal)
                ? (g.MapLines(l => l.Contains(" FETCH INTERNALDATE ", StringComparison.Ordinal)
                    ? o.Lines.FirstOrDefault(x => x.StartsWith(l[..l.IndexOf(" INTERNALDATE ", StringComparison.Ordinal)] + " INTERNALDATE ", StringComparison.Ordinal)) ?? l
                    : l), o)
                : null),
        new(
            "append-flags-without-date",
            "refuses APPEND with flags but no date-time (\"NO APPEND Invalid date/time format\")",
            "append the message",
            "RFC 3501 §6.3.11: both the flag list and the date-time are optional, each on its own",
            (g, o) => g.Command.StartsWith("APPEND ", StringComparison.Ordinal) && g.Command.Contains(") {", StringComparison.Ordinal)
                && !g.Command.Contains('"') && g.Status == "NO" && o.Status == "OK"
                ? (g with { Status = "OK", Lines = o.Lines }, o) // ours then announces the new message in the selected mailbox
                : null),
        new(
            "bookkeeping-headers",
            "counts in RFC822.SIZE of an appended message the Status/X-UID headers it keeps in the mbox",
            "count the message as the client sent it",
            "RFC 3501 §2.3.4: RFC822.SIZE is the size of the message; bookkeeping headers are not part of it (and are hidden from FETCH)",
            (g, o) => g.Session == "Append" && g.Command.StartsWith("FETCH", StringComparison.Ordinal)
                ? (g.MapLines(l => l.Contains(" FETCH RFC822.SIZE ", StringComparison.Ordinal)
                    ? o.Lines.FirstOrDefault(x => x.StartsWith(l[..l.IndexOf(" RFC822.SIZE ", StringComparison.Ordinal)] + " RFC822.SIZE ", StringComparison.Ordinal)) ?? l
                    : l), o)
                : null),
        new(
            "reference-without-delimiter",
            "treats LIST's reference \"work\" as the folder work/, so \"*\" does not match work itself",
            "list \"work\" too",
            "RFC 3501 §6.3.8: reference and pattern are joined (\"work*\"), which matches \"work\"",
            (g, o) => g.Command == "LIST \"work\" \"*\""
                ? (g, o.MapLines(l => l.EndsWith(" \"/\" work", StringComparison.Ordinal) ? null : l))
                : null),
        new(
            "namespace-spacing",
            "writes a space between the prefixes of one namespace: ((\"\" \"/\") (\"#archive:\" \".\"))",
            "write them side by side: ((\"\" \"/\")(\"#archive:\" \".\"))",
            "RFC 2342 §5 grammar has no space there (strict parsers stop at it)",
            (g, o) => g.Command == "NAMESPACE" ? (g.MapLines(l => l.Replace("\") (\"", "\")(\"")), o) : null),
        new(
            "envelope-unfolding",
            "unfolds a folded header by turning the line break into a space (two spaces between the words)",
            "remove the CRLF only",
            "RFC 5322 §2.2.3: unfolding removes the CRLF, the white space that follows stays as it is",
            (g, o) => g.Lines.Count == o.Lines.Count && g.Lines.Zip(o.Lines).All(p => p.First == p.Second
                    || (p.First.Contains(" FETCH ENVELOPE ", StringComparison.Ordinal) && p.First.Replace("?=  =?", "?= =?") == p.Second))
                ? (g.WithLines(o.Lines), o)
                : null),
        new(
            "header-of-non-message-part",
            "answers BODY[1.HEADER] of a part that is not message/rfc822 with NIL",
            "answer \"\"",
            "that part has no header of its own; Dovecot answers \"\" too (measured with Dovecot 2.3), and clients expect a string for BODY[...]",
            (g, o) => g.Command.Contains(".HEADER]", StringComparison.Ordinal)
                ? (g.MapLines(l => l.EndsWith("] NIL", StringComparison.Ordinal) ? l[..^3] + "\"\"" : l), o)
                : null),
        new(
            "recent-in-flags",
            "leaves \\Recent out of the FLAGS it sends when FETCH sets \\Seen",
            "send the message's full flag list",
            "RFC 3501 §7.4.2: FLAGS is the list of flags set for the message, \\Recent included",
            (g, o) => g.Lines.Any(l => l.Contains(" FETCH FLAGS (", StringComparison.Ordinal)) && !AsksForFlags().IsMatch(g.Command)
                ? (g, o.MapLines(l => l.Contains(" FETCH FLAGS (", StringComparison.Ordinal) && !g.Lines.Contains(l) ? l.Replace("\\Recent ", "") : l))
                : null),
        new(
            "search-keyword",
            "matches every message with SEARCH KEYWORD of a keyword no message has",
            "match none",
            "RFC 3501 §6.4.4: KEYWORD matches messages with that flag set",
            (g, o) => g.Command.StartsWith("SEARCH KEYWORD ", StringComparison.Ordinal) ? (g.WithLines(o.Lines), o) : null),
        new(
            "sent-date-missing",
            "counts a message without a Date: header as sent before any date (SENTBEFORE matches it)",
            "match only messages whose Date: header says so",
            "a message without Date: has no sent date to compare (RFC 3501 §6.4.4 SENTBEFORE uses the Date: header)",
            (g, o) => g.Command.StartsWith("SEARCH SENTBEFORE ", StringComparison.Ordinal) ? (g.WithLines(o.Lines), o) : null),
        new(
            "lsub-attributes",
            "gives LSUB no attributes",
            "give the mailbox's attributes (\\Noinferiors for an mbox file)",
            "RFC 3501 §7.2.3: LSUB attributes are those of LIST; clients use them to know what may hold children",
            (g, o) => g.Lines.Any(l => l.StartsWith("* LSUB () ", StringComparison.Ordinal))
                ? (g, o.MapLines(l => l.StartsWith("* LSUB (", StringComparison.Ordinal) ? "* LSUB ()" + l[(l.IndexOf(')') + 1)..] : l))
                : null),
        new(
            "select-mailboxid",
            "sends no MAILBOXID when a mailbox is selected",
            "send \"* OK [MAILBOXID (id)]\"",
            "we announce OBJECTID (RFC 8474 §4.2: SELECT and EXAMINE return the MAILBOXID)",
            (g, o) => o.Lines.Any(IsMailboxIdLine)
                ? (g, o.MapLines(l => IsMailboxIdLine(l) ? null : l))
                : null),
    ];

    private static bool IsMailboxIdLine(string line) => line.StartsWith("* OK [MAILBOXID (", StringComparison.OrdinalIgnoreCase);

    private static bool IsStructure(string line) =>
        line.Contains(" FETCH BODY (", StringComparison.Ordinal) || line.Contains(" FETCH BODYSTRUCTURE (", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(FLAGS|ALL|FAST|FULL)\b")]
    private static partial Regex AsksForFlags();

    [GeneratedRegex(@"^\* \d+ EXISTS$")]
    private static partial Regex ExistsLine();

    [GeneratedRegex(@"^\* (LIST|LSUB) ")]
    private static partial Regex ListLine();

    [GeneratedRegex(@"\\has(no)?children ?")]
    private static partial Regex ChildrenAttribute();
}
