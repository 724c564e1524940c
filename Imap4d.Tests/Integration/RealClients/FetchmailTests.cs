using System.Text;
using Imap4d.Storage;

namespace Imap4d.Tests.Integration.RealClients;

/// <summary>
/// fetchmail polling INBOX over IMAP and handing every message to an MDA that writes it to a
/// file: with keep the server keeps the messages (now \Seen), with nokeep they are expunged;
/// without fetchall only unseen messages are fetched. Files are compared with the server's copy.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class FetchmailTests(string type) : RealClientTest
{
    [Test]
    public void KeepFetchesEverythingAndLeavesItMarkedSeen()
    {
        var daemon = StartDaemon(type, demoInbox: true);
        var before = daemon.SeedDemoInbox();
        var (files, log) = RunFetchmail(daemon, "keep fetchall");
        Assert.That(files, Is.EqualTo(before.Select(Lf)), log);
        Assert.That(log, Does.Contain("3 messages for demo at 127.0.0.1"));

        // mbox: the flags reach the file's Status headers before LOGOUT is answered, and this
        // reader, which does not share the user's private index, takes the file's word.
        var after = daemon.ReadMailbox("INBOX");
        Assert.That(after.Select(m => m.Uid), Is.EqualTo(before.Select(m => m.Uid)), "keep: nothing removed");
        Assert.That(after.Select(m => m.Content), Is.EqualTo(before.Select(m => m.Content)));
        Assert.That(after.Select(m => m.Flags.Has(MessageFlags.Seen)), Is.All.True, "fetched messages are \\Seen");
        Assert.That(after.Select(m => m.Flags.Has(MessageFlags.Deleted)), Is.All.False);
    }

    [TestCase("nokeep fetchall")]
    [TestCase("nokeep fetchall expunge 1")]
    public void NokeepFetchesAndExpunges(string options)
    {
        // "expunge 1": STORE +FLAGS (\Seen \Deleted) and EXPUNGE after every message, so the
        // next message is always number 1 again.
        var daemon = StartDaemon(type, demoInbox: true);
        var before = daemon.SeedDemoInbox();
        var (files, log) = RunFetchmail(daemon, options);
        Assert.That(files, Is.EqualTo(before.Select(Lf)), log);
        Assert.That(daemon.ReadMailbox("INBOX"), Is.Empty, "nokeep: every fetched message is expunged on the server");
        Assert.That(daemon.TranscriptWith(" EXPUNGE"), Does.Contain(" EXPUNGE"));

        // A second poll finds nothing (fetchmail exits 1: no mail).
        var (again, log2) = RunFetchmail(daemon, "nokeep fetchall", expectedExit: 1);
        Assert.That(again, Is.Empty, log2);
    }

    [Test]
    public void WithoutFetchallOnlyUnseenMessagesAreFetched()
    {
        // fetchmail asks "SEARCH UNSEEN UNDELETED"; a server without SEARCH answers BAD and
        // fetchmail falls back to FETCH 1:n FLAGS. Either way only unseen mail must come.
        var daemon = StartDaemon(type);
        daemon.Seed("INBOX",
            ("\\Seen", "Subject: read already\n\nold\n"),
            ("", "Subject: new one\n\nfresh 1\n"),
            ("\\Seen \\Flagged", "Subject: read and flagged\n\nold 2\n"),
            ("", "Subject: new two\n\nfresh 2\n"));
        var before = daemon.ReadMailbox("INBOX");
        var (files, log) = RunFetchmail(daemon, "keep");
        Assert.That(files, Is.EqualTo(new[] { Lf(before[1]), Lf(before[3]) }), log);
        var after = daemon.ReadMailbox("INBOX");
        Assert.That(after.Select(m => m.Flags.ToString()), Is.EqualTo(new[] { "(\\Seen)", "(\\Seen)", "(\\Seen \\Flagged)", "(\\Seen)" }));
        TestContext.Out.WriteLine(daemon.TranscriptWith("OK LOGOUT").Contains(" OK SEARCH", StringComparison.Ordinal)
            ? "fetchmail used SEARCH" : "fetchmail fell back to FETCH FLAGS (no SEARCH)");
    }

    /// <summary>
    /// Runs one poll with the given keep/fetchall options; the MDA writes each message to a
    /// numbered file. Returns the files' contents in delivery order and fetchmail's verbose log.
    /// </summary>
    private static (List<string> Files, string Log) RunFetchmail(ClientDaemon daemon, string options, int expectedExit = 0)
    {
        string home = daemon.Scratch;
        string outDir = Path.Combine(home, "delivered-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outDir);
        string mda = Path.Combine(home, "mda.sh");
        File.WriteAllText(mda, $"#!/bin/sh\nn=$(ls '{outDir}' | wc -l)\nexec cat > '{outDir}'/$(printf %04d $((n + 1)))\n");
        File.SetUnixFileMode(mda, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string rc = Path.Combine(home, "fetchmailrc");
        File.WriteAllText(rc, $"""
            set no syslog
            poll 127.0.0.1 protocol IMAP port {daemon.Port} auth password timeout 15
              user "demo" password "demo"
              folder INBOX
              sslproto ""
              {options}
              mda "{mda}"

            """);
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (code, stdout, stderr) = ClientProgram.Run("fetchmail", ["-f", rc, "--nosyslog", "--invisible", "-v"], TimeSpan.FromSeconds(20),
            new Dictionary<string, string> { ["HOME"] = home, ["FETCHMAILHOME"] = home });
        string log = stdout + stderr;
        TestContext.Out.WriteLine(log);
        Assert.That(code, Is.EqualTo(expectedExit), $"fetchmail exit status:\n{log}");
        var files = Directory.EnumerateFiles(outDir).Order(StringComparer.Ordinal)
            .Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))).ToList();
        return (files, log);
    }

    /// <summary>The server's message as an MDA gets it: LF line ends.</summary>
    private static string Lf(StoredMessage message) => message.Text.Replace("\r\n", "\n");
}
