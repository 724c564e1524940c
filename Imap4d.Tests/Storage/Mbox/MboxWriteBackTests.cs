using System.Diagnostics;
using Imap4d.Storage;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.State;

namespace Imap4d.Tests.Storage.Mbox;

/// <summary>
/// Flags set over IMAP live in the user's private index; other programs (mutt, mailutils, a second
/// server with its own index) know only the file. Closing the mailbox writes them to the
/// Status/X-Status/X-Keywords headers, and a reader with its own index takes the file's word.
/// </summary>
[TestFixture]
[NonParallelizable]
public class MboxWriteBackTests
{
    // A plain mbox as an MDA leaves it: no X-UID, no Status.
    private const string Delivered =
        "From alice@example.org Mon Nov  2 09:15:00 2026\n" +
        "From: Alice <alice@example.org>\nSubject: one\n\nfirst\n\n" +
        "From bob@example.net Tue Nov  3 18:02:41 2026\n" +
        "From: Bob <bob@example.net>\nSubject: two\n\nsecond\n\n" +
        "From carol@example.com Wed Nov  4 07:30:12 2026\n" +
        "From: Carol <carol@example.com>\nSubject: three\n\nthird\n";

    private MboxDriverFixture _fixture = null!;

    [SetUp]
    public void SetUp() => _fixture = new MboxDriverFixture();

    [TearDown]
    public void TearDown() => _fixture.Dispose();

    /// <summary>A driver whose index lives in its own state directory, as another user's or server's would.</summary>
    private MboxDriver DriverWithOwnIndex(string name) =>
        new(MboxDriverFixture.FastLocking, userState: new UserStateDirectory(_fixture.NewPath(name), forced: true));

    /// <summary>The header fields of each message, read as any mbox reader would: From_ lines, then header up to the empty line.</summary>
    private static List<Dictionary<string, string>> HeadersInFile(string path)
    {
        var result = new List<Dictionary<string, string>>();
        Dictionary<string, string>? header = null;
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("From ", StringComparison.Ordinal))
            {
                header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                result.Add(header);
            }
            else if (line.Length == 0)
            {
                header = null;
            }
            else if (header is not null && line.IndexOf(':') is > 0 and var colon)
            {
                header[line[..colon]] = line[(colon + 1)..].Trim();
            }
        }

        return result;
    }

    private string StoreAndClose(MboxDriver driver)
    {
        string path = _fixture.NewPath("INBOX");
        using var box = driver.Open(path, "INBOX", readOnly: false);
        var uids = box.Messages.Select(m => m.Uid).ToList();
        box.Store([uids[0]], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen));
        box.Store([uids[1]], FlagOperation.Add, FlagSet.Of(MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged, "$Work"));
        box.Store([uids[2]], FlagOperation.Add, FlagSet.Of(MessageFlags.Deleted | MessageFlags.Draft));
        return path;
    }

    [Test]
    public void FlagsStoredOverImapReachTheFileWhenTheMailboxIsClosed()
    {
        string path = MboxTestSupport.Write(_fixture, "INBOX", Delivered);
        StoreAndClose(DriverWithOwnIndex("writer"));

        var headers = HeadersInFile(path);
        Assert.That(headers.Select(h => h["Subject"]), Is.EqualTo(new[] { "one", "two", "three" }));
        Assert.That(headers.Select(h => h["Status"]), Is.EqualTo(new[] { "RO", "ROAF", "Od" }), "R, O, and A F d for mailutils");
        Assert.That(headers.Select(h => h.GetValueOrDefault("X-Status", "")), Is.EqualTo(new[] { "", "AF", "TD" }), "for Dovecot, UW and mutt");
        Assert.That(headers[1]["X-Keywords"], Does.Contain("$Work"));
        Assert.That(headers.Select(h => h.ContainsKey("X-UID")), Is.All.True, "UIDs are written with the flags");
    }

    [Test]
    public void AReaderWithItsOwnIndexSeesTheFlagsAnotherWroteBack()
    {
        string path = MboxTestSupport.Write(_fixture, "INBOX", Delivered);
        var reader = DriverWithOwnIndex("reader");
        using (var box = reader.Open(path, "INBOX", readOnly: true))
        {
            // Its index now has UIDs for messages the file gives none: not a change of flags.
            Assert.That(box.Messages.Select(m => m.Flags.System), Is.All.EqualTo(MessageFlags.None));
        }

        StoreAndClose(DriverWithOwnIndex("writer"));

        using var again = reader.Open(path, "INBOX", readOnly: true);
        Assert.That(again.Messages.Select(m => m.Flags.System), Is.EqualTo(new[]
        {
            MessageFlags.Seen,
            MessageFlags.Seen | MessageFlags.Answered | MessageFlags.Flagged,
            MessageFlags.Deleted | MessageFlags.Draft,
        }));
        Assert.That(again.Messages[1].Flags.Keywords, Is.EquivalentTo(new[] { "$Work" }));
    }

    [Test]
    public void AStoreNotYetWrittenBackStillWinsOverAnotherProgramsChange()
    {
        string path = MboxTestSupport.Write(_fixture, "INBOX", Delivered);
        using var box = DriverWithOwnIndex("ours").Open(path, "INBOX", readOnly: false);
        box.Checkpoint(); // X-UIDs and Status: O in the file
        var uids = box.Messages.Select(m => m.Uid).ToList();
        box.Store([uids[0]], FlagOperation.Add, FlagSet.Of(MessageFlags.Flagged));

        // Another program marks message three read (the file is re-read whole).
        string text = File.ReadAllText(path);
        int third = text.IndexOf("Subject: three", StringComparison.Ordinal);
        int status = text.IndexOf("Status: O\n", third, StringComparison.Ordinal);
        File.WriteAllText(path, text[..status] + "Status: RO\n" + text[(status + "Status: O\n".Length)..]);

        box.Sync();
        Assert.That(box.Messages.Select(m => m.Uid), Is.EqualTo(uids));
        Assert.That(box.Messages[0].Flags.System, Is.EqualTo(MessageFlags.Flagged), "our STORE, not yet in the file");
        Assert.That(box.Messages[2].Flags.System, Is.EqualTo(MessageFlags.Seen), "the other program's change");
    }

    [Test]
    public void MuttReadingTheFileSeesTheFlags()
    {
        if (!File.Exists("/usr/bin/mutt"))
        {
            Assert.Ignore("mutt is not installed");
        }

        string path = MboxTestSupport.Write(_fixture, "INBOX", Delivered);
        StoreAndClose(DriverWithOwnIndex("writer"));

        // mutt deletes what it takes as unread (~U) and as flagged (~F): with our flags in the
        // file that is message three (unread) and two (flagged), and one remains.
        string home = _fixture.NewPath("mutthome");
        Directory.CreateDirectory(home);
        string mutt = $"mutt -n -F /dev/null -e 'set mbox_type=mbox; set delete=yes; set move=no; set quit=yes; set wait_key=no; "
                      + $"set confirmappend=no; push <delete-pattern>~U<enter><delete-pattern>~F<enter><sync-mailbox><quit>' -f {path}";
        var start = new ProcessStartInfo("script", $"-qec \"{mutt}\" /dev/null")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["TERM"] = "vt100";
        start.Environment["HOME"] = home;
        using (var process = Process.Start(start)!)
        {
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("mutt did not finish");
            }
        }

        Assert.That(HeadersInFile(path).Select(h => h["Subject"]), Is.EqualTo(new[] { "one" }));
    }
}
