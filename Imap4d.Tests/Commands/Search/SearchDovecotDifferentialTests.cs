using System.Diagnostics;
using System.Text.RegularExpressions;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Commands.Search;

/// <summary>
/// Differential check against Dovecot, run by hand: the same searches through doveadm and through
/// a session of ours on the same maildir, compared as sets of Message-IDs (the two servers number
/// messages differently). Needs a running private Dovecot whose config
/// (IMAP4D_DOVEADM_CONF) has mail_location on the maildir IMAP4D_DOVECOT_MAILDIR (its INBOX),
/// e.g. a corpus from shared/bench/gen_corpus.py.
/// </summary>
[Explicit("needs a private Dovecot instance, run by hand")]
public partial class SearchDovecotDifferentialTests
{
    private static readonly string[][] Queries =
    [
        ["FROM", "needle.sender@needle-corp.example"],
        ["SUBJECT", "xylophonic"],
        ["BODY", "zebraquartzneedle"],
        ["TEXT", "marmaladetextneedle"],
        ["SUBJECT", "Gr\u00f6\u00dfenwahnquark"],
        ["SUBJECT", "gr\u00d6\u00dfenwahnquark"],
        ["FROM", "example.org"],
        ["FROM", "Nadia"],
        ["TO", "jackson"],
        ["CC", "smith"],
        ["SUBJECT", "dinner"],
        ["SUBJECT", "re:"],
        ["HEADER", "List-Id", "announce"],
        ["HEADER", "X-Mailer", ""],
        ["HEADER", "Keywords", ""],
        ["BODY", "shipping"],
        ["BODY", "\u6771\u4eac"],
        ["BODY", "multi-part message"],
        ["TEXT", "multi-part message"],
        ["BODY", "Content-Type"],
        ["TEXT", "Content-Type"],
        ["BODY", "fwd."],
        ["TEXT", "fwd."],
        ["TEXT", "mx1.univ.example.edu"],
        ["LARGER", "50000"],
        ["SMALLER", "3000"],
        ["SEEN"],
        ["UNSEEN", "FLAGGED"],
        ["OR", "ANSWERED", "FLAGGED"],
        ["OR", "(", "SUBJECT", "dinner", ")", "NOT", "FROM", "example.org"],
        ["SENTSINCE", "1-Jan-2020"],
        ["SENTBEFORE", "1-Jun-2019"],
        ["SENTON", "5-Jan-2019"],
        ["SENTON", "8-Jan-2019"],
        ["SINCE", "1-Jan-2021"],
        ["TEXT", "photo_"],
        ["BODY", "photo_"],
        ["TEXT", "quoted-printable"],
        ["NOT", "BODY", "the"],
        ["OR", "SUBJECT", "dinner", "FROM", "example.org"],
    ];

    /// <summary>
    /// Known, intended differences (so BODY results here must include Dovecot's, and may have more): the header of an attached message (message/rfc822) is part
    /// of the body text by RFC 3501's words ("in the body of the message"), and BODY matches it
    /// here; Dovecot's BODY searches only the text parts' content (its TEXT, like ours, also
    /// searches every header, MIME part headers included).
    /// </summary>
    private static bool OursMayFindMore(string[] query) => query[0] == "BODY";

    [Test]
    public async Task SameMessagesAsDovecot()
    {
        string? conf = Environment.GetEnvironmentVariable("IMAP4D_DOVEADM_CONF");
        string? maildir = Environment.GetEnvironmentVariable("IMAP4D_DOVECOT_MAILDIR");
        if (string.IsNullOrEmpty(conf) || string.IsNullOrEmpty(maildir) || RepoPaths.FindProgram("doveadm") is not { } doveadm)
        {
            Assert.Ignore("IMAP4D_DOVEADM_CONF / IMAP4D_DOVECOT_MAILDIR not set or doveadm missing");
            return;
        }

        string root = Path.GetDirectoryName(Path.GetFullPath(maildir!))!;
        string name = Path.GetFileName(Path.GetFullPath(maildir!));
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', root, null, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = root + "/INBOX" },
        };
        var store = new MailStore(settings, "demo", root, [new MaildirDriver()], _ => null);
        await using var client = new TestClient(start: new SessionStart(new UserInfo("demo", root), false), storeFactory: _ => store);
        await client.ReadLineAsync();
        await client.CommandAsync("s", "EXAMINE " + name);
        var ids = MessageIds(await client.CommandAsync("f", "FETCH 1:* BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"));

        var differences = new List<string>();
        foreach (var query in Queries)
        {
            string imap = string.Join(' ', query.Select(Quote)).Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal);
            var lines = await client.CommandAsync("t", "SEARCH CHARSET UTF-8 " + imap);
            var ours = lines.Single(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).Split(' ').Skip(2)
                .Select(n => ids[int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)]).ToHashSet();
            var theirs = Doveadm(doveadm, conf!, ToDoveadm(query));
            string line = $"{string.Join(' ', query),-50} ours {ours.Count,4} dovecot {theirs.Count,4}";
            await TestContext.Out.WriteLineAsync(line);
            bool expected = OursMayFindMore(query) ? ours.IsSupersetOf(theirs) : ours.SetEquals(theirs);
            if (!expected)
            {
                differences.Add(line + "  only ours: " + string.Join(' ', ours.Except(theirs).Take(3)) +
                                "  only dovecot: " + string.Join(' ', theirs.Except(ours).Take(3)));
            }
        }

        Assert.That(differences, Is.Empty, string.Join("\n", differences));
    }

    /// <summary>doveadm's query language writes OR between its operands (doveadm-search-query(7)).</summary>
    private static List<string> ToDoveadm(IReadOnlyList<string> query)
    {
        int pos = 0;
        var result = new List<string>();
        while (pos < query.Count)
        {
            result.AddRange(Key(query, ref pos));
        }

        return result;
    }

    private static List<string> Key(IReadOnlyList<string> q, ref int pos)
    {
        string word = q[pos++];
        switch (word.ToUpperInvariant())
        {
            case "OR":
                var left = Key(q, ref pos);
                var right = Key(q, ref pos);
                return ["(", .. left, "OR", .. right, ")"];
            case "NOT":
                return ["NOT", .. Key(q, ref pos)];
            case "(":
                var list = new List<string> { "(" };
                while (q[pos] != ")")
                {
                    list.AddRange(Key(q, ref pos));
                }

                pos++;
                list.Add(")");
                return list;
            case "HEADER":
                return [word, q[pos++], q[pos++]];
            case "SEEN" or "UNSEEN" or "FLAGGED" or "UNFLAGGED" or "ANSWERED" or "UNANSWERED" or "ALL":
                return [word];
            default:
                return [word, q[pos++]];
        }
    }

    private static string Quote(string token) =>
        token.Length > 0 && (token is "(" or ")" || token.All(c => c > ' ' && c < 0x7f && "(){%*\"\\]".IndexOf(c) < 0))
            ? token
            : "\"" + token.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static Dictionary<int, string> MessageIds(List<string> lines)
    {
        var ids = new Dictionary<int, string>();
        int current = 0;
        foreach (string line in lines)
        {
            var fetch = FetchLine().Match(line);
            if (fetch.Success)
            {
                current = int.Parse(fetch.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase) && current > 0)
            {
                ids[current] = line[11..].Trim();
            }
        }

        return ids;
    }

    private static HashSet<string> Doveadm(string doveadm, string conf, List<string> query)
    {
        var start = new ProcessStartInfo(doveadm, ["-c", conf, "fetch", "-u", "root", "hdr.message-id", "mailbox", "INBOX", .. query])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(60_000);
        return output.Split('\n').Where(l => l.StartsWith("hdr.message-id:", StringComparison.Ordinal))
            .Select(l => l["hdr.message-id:".Length..].Trim()).ToHashSet();
    }

    [GeneratedRegex(@"^\* (\d+) FETCH")]
    private static partial Regex FetchLine();
}
