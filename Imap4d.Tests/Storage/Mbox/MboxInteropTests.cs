using System.Diagnostics;
using System.Text.RegularExpressions;
using Imap4d.Storage;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// Mailboxes we write, read by the real programs (skipped when they are not installed):
/// GNU imap4d and Dovecot in preauth mode over a pipe, and mutt rewriting our file.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MboxInteropTests
{
    private const string GnuImap4d = "/usr/sbin/imap4d";
    private const string DovecotImap = "/usr/lib/dovecot/imap";
    private const string Mutt = "/usr/bin/mutt";

    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    private (string Path, uint Validity) WriteOurMailbox()
    {
        string path = _fixture.NewPath("ours");
        _fixture.Driver.Create(path, (UnixFileMode)0x1a4);
        uint validity;
        using (var box = _fixture.Driver.Open(path, "ours", readOnly: false))
        {
            validity = box.UidValidity;
            MboxTestSupport.Append(box, "one", FlagSet.Of(MessageFlags.Seen, "$Label1"));
            box.Append(new MemoryStream(MboxTestSupport.Message("two", "From here\r\n>From there\r\n")), FlagSet.Empty, DateTimeOffset.UnixEpoch.AddDays(20000));
            MboxTestSupport.Append(box, "three");
            box.Sync();
            box.Store([1], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));
            box.Store([2], FlagOperation.Add, FlagSet.Of(MessageFlags.Answered | MessageFlags.Draft));
            box.Store([3], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted));
        }

        return (path, validity);
    }

    private static string Run(string command, string arguments, string input, string? user = null,
        IDictionary<string, string>? environment = null)
    {
        var start = user is null
            ? new ProcessStartInfo(command, arguments)
            : new ProcessStartInfo("runuser", $"-u {user} -- {command} {arguments}");
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish");
        }

        TestContext.Out.WriteLine(output.Result);
        TestContext.Out.WriteLine(error.Result);
        return output.Result;
    }

    private static Dictionary<uint, string[]> FetchedFlags(string transcript) =>
        Regex.Matches(transcript, @"^\* \d+ FETCH \((.*)\)\r?$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToDictionary(
                f => uint.Parse(Regex.Match(f, @"UID (\d+)").Groups[1].Value),
                f => Regex.Match(f, @"FLAGS \(([^)]*)\)").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(x => x != @"\Recent").Order(StringComparer.OrdinalIgnoreCase).ToArray());

    [Test]
    public void GnuImap4dReadsOurUidsAndFlags()
    {
        if (!File.Exists(GnuImap4d))
        {
            Assert.Ignore("GNU imap4d is not installed");
        }

        var (path, validity) = WriteOurMailbox();
        string config = _fixture.NewPath("imap4d.conf");
        File.WriteAllText(config, $"mailbox {{ mailbox-pattern \"{path}\"; }};\n");
        string transcript = Run(GnuImap4d, $"--config-file={config} --preauth -i",
            "a examine INBOX\r\nb fetch 1:* (uid flags)\r\nc fetch 2 body[text]\r\nd logout\r\n");
        Assert.That(transcript, Does.Contain($"[UIDVALIDITY {validity}]"));
        Assert.That(transcript, Does.Contain("[UIDNEXT 4]"));
        var flags = FetchedFlags(transcript);
        Assert.That(flags.Keys, Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(flags[1], Is.EqualTo(new[] { @"\Flagged", @"\Seen" }));
        Assert.That(flags[2], Is.EqualTo(new[] { @"\Answered", @"\Draft" }));
        Assert.That(flags[3], Is.Empty, "\\Deleted is kept only in X-Status, which mailutils does not read");
        Assert.That(transcript, Does.Contain("\nFrom here\r\n>From there\r\n"), "mailutils unquotes mboxrd as we do");
    }

    [Test]
    public void DovecotReadsOurUidsFlagsAndKeywords()
    {
        if (!File.Exists(DovecotImap))
        {
            Assert.Ignore("Dovecot is not installed");
        }

        var (path, validity) = WriteOurMailbox();
        string config = _fixture.NewPath("dovecot.conf");
        string mail = _fixture.NewPath("dovecot-mail");
        Directory.CreateDirectory(mail);
        File.WriteAllText(config,
            $"mail_location = mbox:{mail}:INBOX={path}:INDEX=MEMORY\nlog_path = /dev/null\nssl = no\nmbox_write_locks = fcntl\n");
        foreach (string file in new[] { _fixture.Root, path, config, mail })
        {
            Process.Start("chown", $"nobody {file}")!.WaitForExit();
        }

        Process.Start("chmod", $"755 {_fixture.Root}")!.WaitForExit();
        string transcript = Run(DovecotImap, $"-c {config}",
            "a examine INBOX\r\nb fetch 1:* (uid flags)\r\nc fetch 2 body[text]\r\nd logout\r\n", user: "nobody",
            environment: new Dictionary<string, string> { ["USER"] = "nobody", ["HOME"] = mail });
        if (transcript.Length == 0)
        {
            Assert.Ignore("Dovecot did not start (see output)");
        }

        Assert.That(transcript, Does.Contain($"[UIDVALIDITY {validity}]"));
        var flags = FetchedFlags(transcript);
        Assert.That(flags.Keys, Is.EqualTo(new uint[] { 1, 2, 3 }));
        Assert.That(flags[1], Is.EqualTo(new[] { "$Label1", @"\Flagged", @"\Seen" }));
        Assert.That(flags[2], Is.EqualTo(new[] { @"\Answered", @"\Draft" }));
        Assert.That(flags[3], Is.EqualTo(new[] { @"\Deleted" }));
    }

    [Test]
    public void MuttRewritesOurMailboxAndWeKeepUids()
    {
        if (!File.Exists(Mutt))
        {
            Assert.Ignore("mutt is not installed");
        }

        var (path, validity) = WriteOurMailbox();
        List<string> contents;
        using (var box = _fixture.Driver.Open(path, "ours", readOnly: true))
        {
            contents = box.Messages.Select(m => MboxTestSupport.Read(box, m.Uid)).ToList();
        }

        string home = _fixture.NewPath("mutthome");
        Directory.CreateDirectory(Path.Combine(home, "Mail"));
        string muttCommand = $"mutt -n -F /dev/null -e 'set folder={home}/Mail; set mbox_type=mbox; set delete=no; set move=no; "
                             + "set quit=yes; set wait_key=no; push <next-undeleted><next-undeleted><flag-message><sync-mailbox><quit>' "
                             + $"-f {path}";
        Run("script", $"-qec \"{muttCommand}\" /dev/null", "",
            environment: new Dictionary<string, string> { ["TERM"] = "vt100", ["HOME"] = home });
        TestContext.Out.WriteLine(File.ReadAllText(path));
        using var again = _fixture.Driver.Open(path, "ours", readOnly: true);
        Assert.That(again.UidValidity, Is.EqualTo(validity));
        // mutt rewrote from the first changed message on and added "Lines:" headers there: those
        // messages changed for clients, so they get new UIDs; the untouched first one keeps its own.
        Assert.That(again.Messages.Select(m => m.Uid), Is.EqualTo(new uint[] { 1, 4, 5 }));
        Assert.That(again.Messages[0].Flags, Is.EqualTo(FlagSet.Of(MessageFlags.Seen | MessageFlags.Flagged, "$Label1")));
        Assert.That(again.Messages[1].Flags.System, Is.EqualTo(MessageFlags.Answered | MessageFlags.Flagged), "mutt's flag seen; mutt drops \\Draft");
        for (int i = 0; i < 3; i++)
        {
            string text = MboxTestSupport.Read(again, again.Messages[i].Uid);
            Assert.That(text.Replace("Lines: 1\r\n", "").Replace("Lines: 2\r\n", ""), Is.EqualTo(contents[i]), $"message {i + 1}");
        }
    }

    [Test]
    public void MailutilsFrmAndMovemailReadOurFile()
    {
        if (!File.Exists("/usr/bin/frm") || !File.Exists("/usr/bin/movemail"))
        {
            Assert.Ignore("mailutils is not installed");
        }

        var (path, _) = WriteOurMailbox();
        List<(uint Uid, FlagSet Flags, string Text)> ours;
        using (var box = _fixture.Driver.Open(path, "ours", readOnly: true))
        {
            ours = box.Messages.Select(m => (m.Uid, m.Flags, MboxTestSupport.Read(box, m.Uid))).ToList();
        }

        string listing = Run("/usr/bin/frm", path, "");
        Assert.That(listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t').Last()),
            Is.EqualTo(new[] { "one", "two", "three" }));

        string moved = _fixture.NewPath("moved");
        Run("/usr/bin/movemail", $"{path} {moved}", "");
        Assert.That(new FileInfo(path).Length, Is.Zero, "movemail emptied our file");
        using var dest = _fixture.Driver.Open(moved, "moved", readOnly: true);
        Assert.That(dest.Messages.Select(m => m.Uid), Is.EqualTo(ours.Select(m => m.Uid)), "X-UIDs carried over");
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.That(MboxTestSupport.Read(dest, dest.Messages[i].Uid), Is.EqualTo(ours[i].Text), $"message {i + 1}");
            var expected = ours[i].Flags.Remove(FlagSet.Of(MessageFlags.Seen)); // movemail drops Status R
            Assert.That(dest.Messages[i].Flags.Remove(FlagSet.Of(MessageFlags.Seen)), Is.EqualTo(expected), $"flags of {i + 1}");
        }
    }
}
