using System.Diagnostics;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// NOTIFY (RFC 5465) with two real connections to the real binary, for each storage format: one
/// session sets NOTIFY and idles (or runs NOOP), the other (its own process) or a foreign
/// program changes things; the events must arrive within a second (asserted with a generous
/// 2 s bound, the time printed).
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("mbox")]
[TestFixture("maildir")]
[TestFixture("mh")]
public class NotifySessionTests(string type)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private FormatDaemon _daemon = null!;
    private string _dir = null!;
    private string _mail = null!;
    private int _port;

    [OneTimeSetUp]
    public void Start()
    {
        _daemon = FormatDaemon.Start(type, "notify", ownProcesses: true);
        (_dir, _mail, _port) = (_daemon.Dir, _daemon.Mail, _daemon.Port);
    }

    [OneTimeTearDown]
    public void Stop() => _daemon.Dispose();

    [Test]
    public void OtherMailboxesAndNamesWhileIdling()
    {
        string box = "Watched" + Suffix();
        using var watcher = Login();
        using var other = Login();
        Assert.That(other.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(watcher.Command("s", "SELECT INBOX")[^1], Does.StartWith("s OK"));
        var set = watcher.Command("n", "NOTIFY SET STATUS (personal (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))");
        Assert.That(set[^1], Does.StartWith("n OK"), string.Join(" | ", set));
        Assert.That(set, Has.Some.StartWith($"* STATUS {box} (MESSAGES 0 UIDNEXT 1 "));
        StartIdle(watcher);

        Append(other, box, "one");
        Measure(watcher, "APPEND elsewhere", line => line.StartsWith($"* STATUS {box} (MESSAGES 1 UIDNEXT 2", StringComparison.Ordinal));

        Assert.That(other.Command("e", "SELECT " + box)[^1], Does.StartWith("e OK"));
        other.Command("f", "STORE 1 +FLAGS (\\Seen)");
        Measure(watcher, "STORE elsewhere", line => line.StartsWith($"* STATUS {box} (", StringComparison.Ordinal) && line.Contains("UNSEEN 0"));

        other.Command("g", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        other.Command("h", "EXPUNGE");
        Measure(watcher, "EXPUNGE elsewhere", line => line.StartsWith($"* STATUS {box} (MESSAGES 0 UIDNEXT 2", StringComparison.Ordinal));
        other.Command("i", "UNSELECT");

        Deliver(Path.Combine(_mail, box), "Subject: foreign\n\nBehind the server's back.\n");
        Measure(watcher, "foreign delivery elsewhere", line => line.StartsWith($"* STATUS {box} (MESSAGES 1 ", StringComparison.Ordinal));

        string created = "New" + Suffix();
        Assert.That(other.Command("j", "CREATE " + created)[^1], Does.StartWith("j OK"));
        Measure(watcher, "CREATE", line => line.StartsWith("* LIST (", StringComparison.Ordinal) && line.EndsWith($" \"/\" {created}", StringComparison.Ordinal));

        Assert.That(other.Command("k", $"RENAME {created} {created}x")[^1], Does.StartWith("k OK"));
        Measure(watcher, "RENAME", line => line.StartsWith("* LIST (", StringComparison.Ordinal) && line.Contains($"\"/\" {created}x (\"OLDNAME\" ({created}))"));

        Assert.That(other.Command("l", $"SUBSCRIBE {created}x")[^1], Does.StartWith("l OK"));
        Measure(watcher, "SUBSCRIBE", line => line.StartsWith("* LIST (", StringComparison.Ordinal) && line.Contains("\\Subscribed") && line.EndsWith($"{created}x", StringComparison.Ordinal));

        Assert.That(other.Command("m", $"DELETE {created}x")[^1], Does.StartWith("m OK"));
        Measure(watcher, "DELETE", line => line.StartsWith("* LIST (\\NonExistent", StringComparison.Ordinal) && line.EndsWith($"{created}x", StringComparison.Ordinal));

        StopIdle(watcher);
    }

    [Test]
    public void EventsComeWithAnyCommandOutsideIdle()
    {
        string box = "Noop" + Suffix();
        using var watcher = Login();
        using var other = Login();
        Assert.That(other.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(watcher.Command("n", $"NOTIFY SET (mailboxes {box} (MessageNew MessageExpunge))")[^1], Does.StartWith("n OK"));
        Append(other, box, "one");
        Thread.Sleep(100);
        var lines = watcher.Command("o", "NOOP");
        Assert.That(lines, Has.Some.StartWith($"* STATUS {box} (MESSAGES 1 UIDNEXT 2"), string.Join(" | ", lines));
        Assert.That(watcher.Command("p", "NOOP"), Has.None.StartWith("* STATUS"), "told once");
        Assert.That(watcher.Command("q", "NOTIFY NONE")[^1], Does.StartWith("q OK"));
        Append(other, box, "two");
        Thread.Sleep(100);
        Assert.That(watcher.Command("r", "NOOP"), Has.None.StartWith("* STATUS"), "NOTIFY NONE");
    }

    [Test]
    public void MessageNewFetchesWhatTheClientAskedForInTheSelectedMailbox()
    {
        string box = "Sel" + Suffix();
        using var watcher = Login();
        using var other = Login();
        Assert.That(other.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(watcher.Command("s", "SELECT " + box)[^1], Does.StartWith("s OK"));
        Assert.That(watcher.Command("n", "NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (Subject)]) MessageExpunge FlagChange))")[^1], Does.StartWith("n OK"));
        StartIdle(watcher);
        Append(other, box, "fetched");
        Measure(watcher, "EXISTS", line => line == "* 1 EXISTS");
        Measure(watcher, "FETCH", line => line.StartsWith("* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {", StringComparison.OrdinalIgnoreCase));
        Assert.That(watcher.ReadLine(), Is.EqualTo("Subject: fetched"));
        StopIdle(watcher);
    }

    [Test]
    public void WithoutASelectedFilterTheSelectedMailboxWaitsForACommand()
    {
        string box = "Quiet" + Suffix();
        using var watcher = Login();
        using var other = Login();
        Assert.That(other.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(watcher.Command("s", "SELECT " + box)[^1], Does.StartWith("s OK"));
        Assert.That(watcher.Command("n", "NOTIFY SET (personal (MessageNew MessageExpunge))")[^1], Does.StartWith("n OK"));
        StartIdle(watcher);
        Append(other, box, "later");
        Thread.Sleep(700);
        watcher.Send("DONE\r\n");
        // RFC 5465 §3.1, §4: nothing for the selected mailbox while idling; the EXISTS comes with the tagged OK.
        Assert.That(watcher.ReadLine(), Is.EqualTo("* 1 EXISTS"));
        Assert.That(watcher.ReadLine(), Is.EqualTo("* 1 RECENT"));
        Assert.That(watcher.ReadLine(), Does.StartWith("i OK"));
    }

    [Test]
    public void EventsArePushedBetweenCommandsWithoutIdle()
    {
        // RFC 5465 §5: once NOTIFY is set, events come as they happen; the client sends nothing here.
        string box = "Push" + Suffix();
        string selected = "PushSel" + Suffix();
        using var watcher = Login();
        using var other = Login();
        Assert.That(other.Command("c", "CREATE " + box)[^1], Does.StartWith("c OK"));
        Assert.That(other.Command("d", "CREATE " + selected)[^1], Does.StartWith("d OK"));
        Assert.That(watcher.Command("s", "SELECT " + selected)[^1], Does.StartWith("s OK"));
        var set = watcher.Command("n", "NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge FlagChange MailboxName))");
        Assert.That(set[^1], Does.StartWith("n OK"), string.Join(" | ", set));

        Append(other, box, "one");
        Measure(watcher, "APPEND elsewhere", line => line.StartsWith($"* STATUS {box} (MESSAGES 1 UIDNEXT 2", StringComparison.Ordinal));
        Deliver(Path.Combine(_mail, box), "Subject: foreign\n\nBehind the server's back.\n");
        Measure(watcher, "foreign delivery elsewhere", line => line.StartsWith($"* STATUS {box} (MESSAGES 2 ", StringComparison.Ordinal));

        Append(other, selected, "sel");
        Measure(watcher, "APPEND to the selected mailbox", line => line == "* 1 EXISTS");
        Deliver(Path.Combine(_mail, selected), "Subject: foreign\n\nInto the selected mailbox.\n");
        Measure(watcher, "foreign delivery to the selected mailbox", line => line == "* 2 EXISTS");

        Assert.That(other.Command("e", "SELECT " + selected)[^1], Does.StartWith("e OK"));
        other.Command("f", "STORE 1 +FLAGS (\\Flagged)");
        Measure(watcher, "STORE in the selected mailbox", line => line.StartsWith("* 1 FETCH (", StringComparison.Ordinal) && line.Contains("\\Flagged"));
        other.Command("g", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        other.Command("h", "EXPUNGE");
        Measure(watcher, "EXPUNGE in the selected mailbox (SELECTED: at any time)", line => line == "* 1 EXPUNGE");

        string created = "New" + Suffix();
        Assert.That(other.Command("j", "CREATE " + created)[^1], Does.StartWith("j OK"));
        Measure(watcher, "CREATE", line => line.StartsWith("* LIST (", StringComparison.Ordinal) && line.EndsWith($" \"/\" {created}", StringComparison.Ordinal));
        var noop = watcher.Command("z", "NOOP");
        Assert.That(noop[^1], Does.StartWith("z OK"));
        Assert.That(noop, Has.None.Contains(created).And.None.Contains("EXISTS").And.None.Contains("EXPUNGE"), "everything was told already");
    }

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];

    private TcpLineClient Login()
    {
        var client = new TcpLineClient(_port);
        client.ReadLine();
        Assert.That(client.Command("a", "LOGIN demo demo")[^1], Does.StartWith("a OK"));
        return client;
    }

    private static void StartIdle(TcpLineClient client)
    {
        client.Send("i IDLE\r\n");
        Assert.That(client.ReadLine(), Does.StartWith("+ "));
    }

    private static void StopIdle(TcpLineClient client)
    {
        client.Send("DONE\r\n");
        string? line;
        while ((line = client.ReadLine()) is not null && !line.StartsWith("i ", StringComparison.Ordinal))
        {
        }

        Assert.That(line, Does.StartWith("i OK"));
    }

    private static void Append(TcpLineClient client, string box, string subject)
    {
        string message = $"Subject: {subject}\r\n\r\nHello.\r\n";
        Assert.That(client.Command("p", $"APPEND {box} {{{message.Length}+}}\r\n{message}")[^1], Does.StartWith("p OK"));
    }

    private static void Measure(TcpLineClient client, string what, Func<string, bool> expected) =>
        FormatDaemon.ReadUntilWithin(client, Bound, what, expected);

    private void Deliver(string path, string message) => FormatDaemon.DeliverForeign(type, path, message);
}
