using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Imap4d.Tests.Support;
using Imap4d.Tests.Support.Corpus;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration.Differential;

/// <summary>
/// Serves the same mailbox (the tests' own generated corpus, <see cref="TestCorpus"/>, the MIME
/// fixtures in LF and CRLF form, and a few hand-made messages) through Dovecot and through
/// imap4d, both preauthenticated on pipes, sends both the same commands and compares the
/// answers data item by data item: RFC822.SIZE, ENVELOPE, BODY, BODYSTRUCTURE, BODY[section]
/// bytes for every part of every message, and UID SEARCH results. Strings compare by their
/// bytes (quoted or literal is the same); every difference must be one of
/// <see cref="DeliberateDifferences.All"/>, applied only where it matches.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public partial class DovecotDifferentialTests
{
    private const string DovecotImap = "/usr/lib/dovecot/imap";
    private const int CorpusCount = 300;
    private const ulong CorpusSeed = 7;
    private const int SectionsPerFetch = 24;
    private const int RandomCount = 150;

    /// <summary>Runs random-messages.py (argv: script, output directory, count) for seeds 1..count in one process.</summary>
    private const string RandomMessagesScript = """
        import contextlib, io, os, runpy, sys
        script, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        for seed in range(1, count + 1):
            sys.argv = [script, str(seed)]
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                runpy.run_path(script)
            with open(os.path.join(out, "r%03d.eml" % seed), "w", encoding="utf-8", newline="") as f:
                f.write(buf.getvalue())
        """;

    /// <summary>Hand-made cases not among the MIME fixtures.</summary>
    private static readonly (string Name, string Text)[] Extras =
    [
        ("empty-list-elements", "From: a@example.com\nTo: ,,\nCc: b@example.com, , c@example.com,\nSubject: empty elements\n\nbody\n"),
        ("subject-blanks", "From: a@example.com\nSubject:  two  spaces\tand a tab \nDate: Mon, 1 Jan 2024 10:00:00 +0000\nX-Mailer: hand\n\nbody\n"),
        ("default-type-upper", "From: a@example.com\nMIME-Version: 1.0\nContent-Type: TEXT/PLAIN; CHARSET=US-ASCII\n\nbody\n"),
        ("blank-first-line", "\nbody only, no header\n"),
        ("nested-close", "From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: message/rfc822\n\nSubject: inner\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=i\n\n--i\n\nx\n--i--\n--o--\n"),
    ];

    private readonly List<string> _labels = [];
    private readonly Dictionary<string, List<string>> _used = [];
    private string _root = "";
    private ImapPeer? _dovecot;
    private ImapPeer? _ours;
    private readonly Stopwatch _clock = new();

    [OneTimeSetUp]
    public void SetUp()
    {
        _clock.Start();
        if (!File.Exists(DovecotImap))
        {
            Assert.Ignore($"Dovecot is not installed ({DovecotImap}; package dovecot-imapd)");
        }

        _root = Path.Combine(Path.GetTempPath(), $"imap4d-diff-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        Syscall.chmod(_root, FilePermissions.ACCESSPERMS & ~(FilePermissions.S_IWGRP | FilePermissions.S_IWOTH));

        string random = Path.Combine(_root, "random");
        Directory.CreateDirectory(random);
        var rnd = Run("python3", "-c", RandomMessagesScript, Path.Combine(RepoPaths.Root, "Imap4d.Tests", "Fixtures", "messages", "random-messages.py"),
            random, RandomCount.ToString(CultureInfo.InvariantCulture));
        Assert.That(rnd.ExitCode, Is.Zero, "random-messages.py failed: " + rnd.Stderr);

        var messages = CollectMessages(TestCorpus.Generate(CorpusCount, CorpusSeed), random);
        string dovecotHome = Path.Combine(_root, "dovecot");
        string oursHome = Path.Combine(_root, "ours");
        WriteMaildir(Path.Combine(dovecotHome, "Maildir"), messages);
        WriteMaildir(Path.Combine(oursHome, "Maildir"), messages);

        _dovecot = StartDovecot(dovecotHome);
        _ours = StartOurs(oursHome);
        var dSelect = _dovecot.Command("SELECT INBOX");
        var oSelect = _ours.Command("SELECT INBOX");
        Assert.That(dSelect.Status, Does.StartWith("OK"), "Dovecot SELECT: " + _dovecot.Stderr);
        Assert.That(oSelect.Status, Does.StartWith("OK"), "imap4d SELECT: " + _ours.Stderr);
        Assert.That(dSelect.Untagged.Select(r => r.Text), Does.Contain($"{messages.Count} EXISTS"));
        Assert.That(oSelect.Untagged.Select(r => r.Text), Does.Contain($"{messages.Count} EXISTS"));
        TestContext.Progress.WriteLine($"differential: {messages.Count} messages ready in {_clock.ElapsedMilliseconds} ms");
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _dovecot?.Dispose();
        _ours?.Dispose();
        foreach (var rule in DeliberateDifferences.All)
        {
            var where = _used.GetValueOrDefault(rule.Name) ?? [];
            var messages = where.Select(w => w[..(w.IndexOf(") ", StringComparison.Ordinal) + 1)]).Distinct().ToList();
            TestContext.Progress.WriteLine($"deliberate difference {rule.Name}: {where.Count} time(s) in {messages.Count} message(s){(where.Count > 0 ? ": " : "")}{string.Join(", ", messages.Take(8))}");
        }

        TestContext.Progress.WriteLine($"differential: {_clock.ElapsedMilliseconds} ms in all");
        if (_root != "" && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    [Order(1)]
    public void SizeEnvelopeAndStructureMatch()
    {
        var differences = new List<string>();
        for (int first = 1; first <= _labels.Count; first += 50)
        {
            int last = Math.Min(first + 49, _labels.Count);
            string set = $"{first}:{last}";
            var d = Fetch(_dovecot!, set, "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY RFC822.HEADER)");
            var o = Fetch(_ours!, set, "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY RFC822.HEADER)");
            CompareFetches(d, o, first, last, differences, null);
        }

        Report(differences);
    }

    [Test]
    [Order(2)]
    public void SectionBytesMatch()
    {
        var differences = new List<string>();
        var structures = Fetch(_dovecot!, "1:*", "(BODYSTRUCTURE)");
        for (int n = 1; n <= _labels.Count; n++)
        {
            var sections = new List<string>
            {
                "HEADER", "TEXT", "1", "1.MIME", "2", "HEADER.FIELDS (FROM SUBJECT DATE)",
                "HEADER.FIELDS.NOT (RECEIVED DATE)", "1.TEXT", "1.HEADER",
            };
            ImapNode? structure = null;
            if (structures.TryGetValue(n, out var items) && items.TryGetValue("BODYSTRUCTURE", out structure))
            {
                Sections(structure, "", sections);
            }

            var items0 = new List<string> { "BODY.PEEK[]", "BODY.PEEK[]<0.100>", "BODY.PEEK[TEXT]<10.50>", "BODY.PEEK[1]<5.20>" };
            items0.AddRange(sections.Distinct().Select(s => $"BODY.PEEK[{s}]"));
            foreach (var chunk in items0.Chunk(SectionsPerFetch))
            {
                string list = "(" + string.Join(' ', chunk) + ")";
                string set = n.ToString(CultureInfo.InvariantCulture);
                var d = Fetch(_dovecot!, set, list);
                var o = Fetch(_ours!, set, list);
                CompareFetches(d, o, n, n, differences, structure);
            }
        }

        Report(differences);
    }

    [Test]
    [Order(3)]
    public void SearchResultsMatch()
    {
        var probe = _ours!.Command("UID SEARCH ALL");
        if (probe.Status.StartsWith("BAD", StringComparison.Ordinal))
        {
            Assert.Ignore("SEARCH not implemented in this build");
        }

        var needles = TestCorpus.Needles;
        var searches = new List<object[]>
        {
            new object[] { "ALL" },
            new object[] { $"FROM \"{needles.From}\"" },
            new object[] { $"SUBJECT \"{needles.Subject}\"" },
            new object[] { $"BODY \"{needles.Body}\"" },
            new object[] { $"TEXT \"{needles.Text}\"" },
            new object[] { "CHARSET UTF-8 SUBJECT ", Encoding.UTF8.GetBytes(needles.SubjectUtf8) },
            new object[] { "SEEN" },
            new object[] { "UNSEEN" },
            new object[] { "ANSWERED" },
            new object[] { "LARGER 10000" },
            new object[] { "SMALLER 2000" },
            new object[] { "SINCE 1-Jan-2021" },
            new object[] { "BEFORE 1-Jun-2019" },
            new object[] { "SENTSINCE 1-Jan-2021" },
            new object[] { "OR FLAGGED DRAFT" },
            new object[] { "NOT HEADER X-Mailer \"\"" },
            new object[] { "HEADER Message-ID \"example.com\"" },
            new object[] { "SUBJECT \"groups\"" },
            new object[] { "TO \"example.com\" NOT CC \"example.net\"" },
        };
        var differences = new List<string>();
        foreach (var search in searches)
        {
            var parts = new object[] { "UID SEARCH " }.Concat(search).ToArray();
            string text = string.Concat(search.Select(p => p as string ?? "{" + Encoding.UTF8.GetString((byte[])p) + "}"));
            var d = _dovecot!.Command(parts);
            var o = _ours.Command(parts);
            Assert.That(d.Status, Does.StartWith("OK"), $"Dovecot: SEARCH {text}");
            if (!o.Status.StartsWith("OK", StringComparison.Ordinal))
            {
                differences.Add($"SEARCH {text}: imap4d answered {o.Status}");
                continue;
            }

            var dUids = Uids(d.Untagged);
            var oUids = Uids(o.Untagged);
            // Deliberate (nul-in-address): Dovecot stops reading an address at a NUL byte, we read
            // the whole header, so address keys may find more in the fixtures that hold NULs.
            if (Regex.IsMatch(text, @"^(TO|FROM|CC|BCC) "))
            {
                oUids = oUids.Where(u => dUids.Contains(u) || !(u <= _labels.Count && _labels[u - 1].Contains("nul", StringComparison.Ordinal))).ToList();
            }

            if (!dUids.SequenceEqual(oUids))
            {
                differences.Add($"SEARCH {text}:\n    only Dovecot: {Describe(dUids.Except(oUids))}\n    only ours:    {Describe(oUids.Except(dUids))}");
            }
        }

        Report(differences);
    }

    private string Describe(IEnumerable<int> uids) =>
        string.Join(", ", uids.Select(u => u <= _labels.Count ? $"{u} ({_labels[u - 1]})" : u.ToString(CultureInfo.InvariantCulture)));

    private static List<int> Uids(List<ImapResponse> untagged) =>
        untagged.Where(r => r.Text.StartsWith("SEARCH", StringComparison.OrdinalIgnoreCase))
            .SelectMany(r => r.Text[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToList();

    private void Report(List<string> differences)
    {
        foreach (string difference in differences)
        {
            TestContext.Out.WriteLine(difference);
        }

        Assert.That(differences, Is.Empty,
            $"{differences.Count} unexplained difference(s) from Dovecot:\n" + string.Join("\n", differences.Take(40)));
    }

    private void CompareFetches(Dictionary<int, Dictionary<string, ImapNode>> d, Dictionary<int, Dictionary<string, ImapNode>> o, int first, int last, List<string> differences, ImapNode? structure)
    {
        for (int n = first; n <= last; n++)
        {
            string label = $"#{n} {_labels[n - 1]}";
            var di = d.GetValueOrDefault(n) ?? [];
            var oi = o.GetValueOrDefault(n) ?? [];
            foreach (string key in di.Keys.Union(oi.Keys))
            {
                if (!di.TryGetValue(key, out var dv))
                {
                    differences.Add($"{label} {key}: only imap4d sent it");
                }
                else if (!oi.TryGetValue(key, out var ov))
                {
                    differences.Add($"{label} {key}: only Dovecot sent it");
                }
                else
                {
                    DeliberateDifferences.Compare(new DiffContext(label, key, structure), "", dv, ov, differences, _used);
                }
            }
        }
    }

    /// <summary>FETCH answers by message number (several responses for one message are merged).</summary>
    private static Dictionary<int, Dictionary<string, ImapNode>> Fetch(ImapPeer peer, string set, string items)
    {
        var (untagged, status) = peer.Command($"FETCH {set} {items}");
        Assert.That(status, Does.StartWith("OK"), $"{peer.Name}: FETCH {set} {items}\n{peer.Stderr}");
        var result = new Dictionary<int, Dictionary<string, ImapNode>>();
        foreach (var r in untagged.Where(r => r.Fetch is not null))
        {
            if (!result.TryGetValue(r.FetchNumber, out var items0))
            {
                result[r.FetchNumber] = items0 = [];
            }

            foreach (var (key, value) in r.Fetch!)
            {
                items0[key] = value;
            }
        }

        return result;
    }

    /// <summary>Every part of a BODYSTRUCTURE (Dovecot's) as section specs: N, N.MIME, and N.HEADER/N.TEXT of messages.</summary>
    private static void Sections(ImapNode body, string prefix, List<string> sections)
    {
        if (body is not ImapList list || list.Count == 0)
        {
            return;
        }

        if (list[0] is ImapList)
        {
            int i = 0;
            foreach (var child in list.Items.TakeWhile(x => x is ImapList))
            {
                string path = prefix == "" ? $"{++i}" : $"{prefix}.{++i}";
                sections.Add(path);
                sections.Add(path + ".MIME");
                Part(child, path, sections);
            }

            return;
        }

        if (prefix == "")
        {
            Part(body, "1", sections);
        }
    }

    private static void Part(ImapNode part, string path, List<string> sections)
    {
        if (part is not ImapList list || list.Count == 0)
        {
            return;
        }

        if (list[0] is ImapList)
        {
            Sections(part, path, sections);
            return;
        }

        if (list.Count >= 9 && list[0] is ImapString t && list[1] is ImapString s
            && t.Latin1.Equals("message", StringComparison.OrdinalIgnoreCase) && s.Latin1.Equals("rfc822", StringComparison.OrdinalIgnoreCase))
        {
            sections.Add(path + ".HEADER");
            sections.Add(path + ".TEXT");
            sections.Add(path + ".HEADER.FIELDS (SUBJECT FROM)");
            sections.Add(path + ".HEADER.FIELDS.NOT (SUBJECT)");
            var inner = list[8];
            if (inner is ImapList { Count: > 0 } il && il[0] is ImapList)
            {
                Sections(inner, path, sections);
            }
            else
            {
                sections.Add(path + ".1");
                Part(inner, path + ".1", sections);
            }
        }
    }

    private sealed record Message(string Label, byte[] Bytes, bool New, string Flags, DateTime Time);

    private List<Message> CollectMessages(List<CorpusMessage> corpus, string randomDir)
    {
        var messages = corpus.Select(m => new Message(m.Label, m.Bytes, m.New, m.Flags, m.Arrival)).ToList();

        // imap4d numbers new files by modification time, Dovecot by name: the times follow the names.
        var fixtureTime = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        string fixtures = Path.Combine(RepoPaths.Root, "Imap4d.Tests", "Fixtures", "messages");
        var handMade = Directory.GetFiles(fixtures, "*.eml").Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Bytes: File.ReadAllBytes(f)))
            .Concat(Extras.Select(e => (e.Name, Bytes: Encoding.UTF8.GetBytes(e.Text))))
            .Concat(Directory.GetFiles(randomDir, "*.eml").Order(StringComparer.Ordinal)
                .Select(f => (Name: "random-messages.py " + Path.GetFileNameWithoutExtension(f)[1..].TrimStart('0'), Bytes: File.ReadAllBytes(f))));
        foreach (var (name, bytes) in handMade)
        {
            messages.Add(new Message($"fixture {name} (LF)", bytes, false, "", fixtureTime));
            messages.Add(new Message($"fixture {name} (CRLF)", ToCrlf(bytes), false, "S", fixtureTime.AddMinutes(1)));
            fixtureTime = fixtureTime.AddMinutes(2);
        }

        for (int i = 1; i < messages.Count; i++)
        {
            Assert.That(messages[i].Time, Is.GreaterThan(messages[i - 1].Time), $"corpus modification times out of name order at {messages[i].Label}");
        }

        _labels.AddRange(messages.Select(m => m.Label));
        return messages;
    }

    private static byte[] ToCrlf(byte[] lf)
    {
        var output = new List<byte>(lf.Length + lf.Length / 20);
        for (int i = 0; i < lf.Length; i++)
        {
            if (lf[i] == '\n' && (i == 0 || lf[i - 1] != '\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(lf[i]);
        }

        return [.. output];
    }

    /// <summary>The messages under names that sort in mailbox order, so that both servers number them alike.</summary>
    private static void WriteMaildir(string maildir, List<Message> messages)
    {
        foreach (string sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }

        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            string unique = $"{1_600_000_000 + i}.M{i}P{i}Q1.diff";
            string path = m.New ? Path.Combine(maildir, "new", unique) : Path.Combine(maildir, "cur", $"{unique}:2,{m.Flags}");
            File.WriteAllBytes(path, m.Bytes);
            File.SetLastWriteTimeUtc(path, m.Time);
        }
    }

    private ImapPeer StartDovecot(string home)
    {
        string user = Environment.UserName;
        bool asRoot = Syscall.getuid() == 0;
        if (asRoot)
        {
            // Dovecot refuses to run as root: it runs as nobody on a copy owned by nobody.
            user = "nobody";
            var pw = Syscall.getpwnam(user) ?? throw new InvalidOperationException("no user nobody");
            ChownRecursive(home, pw.pw_uid, pw.pw_gid);
        }

        string run = Path.Combine(_root, "dovecot-run");
        string state = Path.Combine(_root, "dovecot-state");
        Directory.CreateDirectory(run);
        Directory.CreateDirectory(state);
        if (asRoot)
        {
            var pw = Syscall.getpwnam(user)!;
            ChownRecursive(run, pw.pw_uid, pw.pw_gid);
            ChownRecursive(state, pw.pw_uid, pw.pw_gid);
        }
        string config = Path.Combine(_root, "dovecot.conf");
        File.WriteAllText(config, $"""
            base_dir = {run}
            state_dir = {state}
            log_path = /dev/stderr
            ssl = no
            mail_location = maildir:{home}/Maildir
            default_internal_user = {user}
            default_login_user = {user}
            """);
        ProcessStartInfo info;
        if (asRoot)
        {
            string runuser = RepoPaths.FindProgram("runuser") ?? "/usr/sbin/runuser";
            info = new ProcessStartInfo(runuser);
            foreach (string arg in new[] { "-u", user, "--", "env", "USER=" + user, "HOME=" + home, DovecotImap, "-c", config })
            {
                info.ArgumentList.Add(arg);
            }
        }
        else
        {
            info = new ProcessStartInfo(DovecotImap);
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(config);
            info.Environment["USER"] = user;
            info.Environment["HOME"] = home;
        }

        return new ImapPeer("Dovecot", info);
    }

    private ImapPeer StartOurs(string home)
    {
        string config = Path.Combine(_root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            logging { syslog no; severity warning; };
            mailbox { mailbox-pattern "maildir://{{home}}/Maildir"; };
            namespace personal { prefix "" { directory "{{home}}"; delimiter "/"; mailbox-type maildir; }; };
            """);
        var info = new ProcessStartInfo(RepoPaths.Executable);
        foreach (string arg in new[] { "--test", "--preauth", "--config-file=" + config })
        {
            info.ArgumentList.Add(arg);
        }

        return new ImapPeer("imap4d", info);
    }

    private static void ChownRecursive(string path, uint uid, uint gid)
    {
        Syscall.chown(path, uid, gid);
        foreach (string entry in Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories))
        {
            Syscall.chown(entry, uid, gid);
        }
    }

    private static (int ExitCode, string Stderr) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        stdout.Wait();
        return (process.ExitCode, stderr);
    }
}
