using System.Text.RegularExpressions;
using Imap4d.Storage;

namespace Imap4d.Tests.Support;

/// <summary>
/// GNU imap4d (Debian mailutils-imap4d) as a test oracle: one `--test --preauth` session on its
/// stdin and stdout, as the invoking user. Tests that need it are ignored when it is not installed.
/// </summary>
public static partial class GnuImap4d
{
    public const string Program = "/usr/sbin/imap4d";

    public static bool Installed => File.Exists(Program);

    public static void Require()
    {
        if (!Installed)
        {
            Assert.Ignore("GNU imap4d is not installed (package mailutils-imap4d)");
        }
    }

    /// <summary>Runs the commands of <paramref name="input"/> (CRLF lines) and returns stdout; fails when stderr is not empty.</summary>
    public static string Session(string config, string input)
    {
        Require();
        var result = ExternalProgram.RunSeparately(Program, ["--config-file=" + config, "--test", "--preauth"], input, TimeSpan.FromSeconds(30));
        Assert.That(result.Stderr, Is.Empty, "GNU imap4d's stderr");
        return result.Stdout;
    }

    /// <summary>
    /// A mailbox as a client sees it after EXAMINE and <c>FETCH 1:* (UID FLAGS)</c>: UIDVALIDITY,
    /// UIDNEXT, then every UID with its flags (sorted, \Recent left out: it belongs to a session),
    /// or with "-" instead of the flags when <paramref name="withFlags"/> is false.
    /// </summary>
    public static string ViewOf(string transcript, bool withFlags = true)
    {
        string validity = UidValidityCode().Match(transcript).Groups[1].Value;
        string next = UidNextCode().Match(transcript).Groups[1].Value;
        var messages = FetchLine().Matches(transcript).Select(m => m.Groups[1].Value)
            .Select(f => (Uid: uint.Parse(UidItem().Match(f).Groups[1].Value),
                Flags: FlagsItem().Match(f).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .OrderBy(m => m.Uid)
            .Select(m => $"{m.Uid}:{(withFlags ? Render(m.Flags) : "-")}");
        return $"UIDVALIDITY {validity} UIDNEXT {next} " + string.Join(' ', messages);
    }

    /// <summary>
    /// The same view of a mailbox open in our storage, keywords left out: GNU imap4d 3.15 has none
    /// (it answers BAD to a STORE or APPEND naming one).
    /// </summary>
    public static string ViewOf(IMailbox box, bool withFlags = true)
    {
        var messages = box.Messages.OrderBy(m => m.Uid).Select(m => $"{m.Uid}:{(withFlags ? Render(Names(m.Flags)) : "-")}");
        return $"UIDVALIDITY {box.UidValidity} UIDNEXT {box.UidNext} " + string.Join(' ', messages);
    }

    private static IEnumerable<string> Names(FlagSet flags)
    {
        foreach (var (flag, name) in new[]
                 {
                     (MessageFlags.Seen, @"\Seen"), (MessageFlags.Answered, @"\Answered"), (MessageFlags.Flagged, @"\Flagged"),
                     (MessageFlags.Deleted, @"\Deleted"), (MessageFlags.Draft, @"\Draft"),
                 })
        {
            if (flags.Has(flag))
            {
                yield return name;
            }
        }

    }

    private static string Render(IEnumerable<string> flags) =>
        "(" + string.Join(' ', flags.Where(f => !f.Equals(@"\Recent", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.OrdinalIgnoreCase)) + ")";

    [GeneratedRegex(@"\[UIDVALIDITY (\d+)\]")]
    private static partial Regex UidValidityCode();

    [GeneratedRegex(@"\[UIDNEXT (\d+)\]")]
    private static partial Regex UidNextCode();

    [GeneratedRegex(@"^\* \d+ FETCH \((.*)\)\r?$", RegexOptions.Multiline)]
    private static partial Regex FetchLine();

    [GeneratedRegex(@"UID (\d+)")]
    private static partial Regex UidItem();

    [GeneratedRegex(@"FLAGS \(([^)]*)\)")]
    private static partial Regex FlagsItem();
}
