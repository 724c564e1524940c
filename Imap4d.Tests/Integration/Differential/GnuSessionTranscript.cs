using System.Text.RegularExpressions;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>
/// One command's answer reduced to what the GNU differential test compares: the tagged status
/// word (OK, NO, BAD) and the untagged responses as normalized lines. Human-readable text after
/// a status or response code, UIDVALIDITY values (each tree has its own), the case of LIST
/// attributes and flags, the order of LIST/LSUB lines and of FETCH data items are not compared:
/// RFC 3501 leaves them free, and clients do not depend on them.
/// </summary>
internal sealed partial record GnuSessionTranscript(string Session, string Command, string Status, IReadOnlyList<string> Lines)
{
    public static GnuSessionTranscript From(string session, string command, List<ImapResponse> untagged, string status)
    {
        var lines = new List<string>();
        foreach (var response in untagged)
        {
            if (response.Fetch is { } items)
            {
                lines.AddRange(items.OrderBy(i => i.Key, StringComparer.Ordinal)
                    .Select(i => $"* {response.FetchNumber} FETCH {i.Key} {NormalizeFetchValue(i.Key, i.Value)}"));
                // Where each item stands (FLAGS above all): RFC 3501 leaves it free, GNU's order is kept.
                lines.Add($"* {response.FetchNumber} FETCH order: {string.Join(' ', items.Keys)}");
            }
            else
            {
                lines.Add(NormalizeLine(response.Text));
            }
        }

        // LIST and LSUB lines come in directory order on both sides: compare them as a set.
        var listing = lines.Where(IsListing).Order(StringComparer.Ordinal).ToList();
        var others = lines.Where(l => !IsListing(l)).ToList();
        return new GnuSessionTranscript(session, command, StatusWord(status), [.. others, .. listing]);
    }

    public GnuSessionTranscript WithLines(IEnumerable<string> lines) => this with { Lines = lines.ToList() };

    /// <summary>Each line passed through <paramref name="map"/>; a null result drops the line.</summary>
    public GnuSessionTranscript MapLines(Func<string, string?> map) => WithLines(Lines.Select(map).OfType<string>());

    public string Render() =>
        string.Concat(Lines.Select(l => "    " + l + "\n")) + "    " + Status;

    public bool SameAs(GnuSessionTranscript other) => Status == other.Status && Canonical(Lines).SequenceEqual(Canonical(other.Lines));

    private static IEnumerable<string> Canonical(IReadOnlyList<string> lines) =>
        lines.Where(l => !IsListing(l)).Concat(lines.Where(IsListing).Order(StringComparer.Ordinal));

    private static bool IsListing(string line) => line.StartsWith("* LIST ", StringComparison.Ordinal) || line.StartsWith("* LSUB ", StringComparison.Ordinal);

    private static string StatusWord(string status)
    {
        int space = status.IndexOf(' ');
        return (space < 0 ? status : status[..space]).ToUpperInvariant();
    }

    private static string NormalizeLine(string text)
    {
        text = "* " + text;
        // "* OK [CODE ...] human text": keep the code, drop the text; UIDVALIDITY differs per tree.
        var coded = CodedStatus().Match(text);
        if (coded.Success)
        {
            text = $"* {coded.Groups[1].Value.ToUpperInvariant()} [{coded.Groups[2].Value}]";
        }
        else if (PlainStatus().IsMatch(text))
        {
            text = text[..text.IndexOf(' ', 2)].ToUpperInvariant();
        }

        text = UidValidity().Replace(text, "UIDVALIDITY n");
        var list = ListLine().Match(text);
        if (list.Success)
        {
            var attributes = list.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a.ToLowerInvariant()).Order(StringComparer.Ordinal);
            // The name as a string: quoted or atom alike.
            string rest = QuotedName().Replace(list.Groups[3].Value, m => " " + m.Groups[1].Value);
            text = $"* {list.Groups[1].Value.ToUpperInvariant()} ({string.Join(' ', attributes)}) {rest}";
        }

        var flags = FlagsLine().Match(text);
        if (flags.Success)
        {
            text = flags.Groups[1].Value + SortFlags(flags.Groups[2].Value) + flags.Groups[3].Value;
        }

        return text;
    }

    private static string NormalizeFetchValue(string item, ImapNode value) =>
        item == "FLAGS" && value is ImapList list
            ? "(" + string.Join(' ', list.Items.Select(f => f.ToString()).Order(StringComparer.OrdinalIgnoreCase)) + ")"
            : value.ToString(); // strings by their bytes: quoted and literal alike

    private static string SortFlags(string flags) =>
        string.Join(' ', flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.OrdinalIgnoreCase));

    [GeneratedRegex(@"^\* (OK|NO|BAD|BYE) \[([^\]]*)\].*$", RegexOptions.IgnoreCase)]
    private static partial Regex CodedStatus();

    [GeneratedRegex(@"^\* (OK|NO|BAD|BYE)( |$)", RegexOptions.IgnoreCase)]
    private static partial Regex PlainStatus();

    [GeneratedRegex(@"UIDVALIDITY \d+", RegexOptions.IgnoreCase)]
    private static partial Regex UidValidity();

    [GeneratedRegex(@"^\* (LIST|LSUB) \(([^)]*)\) (.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex ListLine();

    [GeneratedRegex(@" ""([^""\\{}%*]*)""$")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"^(.*FLAGS \()([^)]*)(\).*)$", RegexOptions.IgnoreCase)]
    private static partial Regex FlagsLine();

    public override string ToString() => Command + "\n" + Render();
}
