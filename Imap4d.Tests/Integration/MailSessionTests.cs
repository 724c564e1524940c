using System.Net.Sockets;
using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The daemon serving maildir and MH folders to python3's imaplib and to raw sockets:
/// mailbox commands, IDLE push of mail delivered by another program, and a delivery agent
/// writing while a session reads and expunges.
/// </summary>
[Category("Integration")]
[NonParallelizable]
[TestFixture("maildir")]
[TestFixture("mh")]
public class MailSessionTests(string type)
{
    private FormatDaemon _daemon = null!;
    private string _dir = null!;
    private string _mail = null!;
    private int _port;

    [OneTimeSetUp]
    public void Start()
    {
        _daemon = FormatDaemon.Start(type, "session");
        (_dir, _mail, _port) = (_daemon.Dir, _daemon.Mail, _daemon.Port);
    }

    [OneTimeTearDown]
    public void Stop() => _daemon.Dispose();

    [Test]
    public void ImaplibScriptedSession()
    {
        string script = $$"""
            import imaplib, time
            c = imaplib.IMAP4('127.0.0.1', {{_port}})
            c.login('demo', 'demo')
            def show(label, r): print(label, r[0], [x.decode() if isinstance(x, bytes) else x for x in r[1]])
            show('create', c.create('Work/Reports'))
            show('create-again', c.create('Work/Reports'))
            show('list', c.list())
            show('append1', c.append('INBOX', '(\\Seen)', imaplib.Time2Internaldate(time.time()), b'Subject: first\r\nFrom: a@example.org\r\n\r\nHello one\r\n'))
            show('append2', c.append('INBOX', None, None, b'Subject: second\r\n\r\nHello two\r\n'))
            show('append3', c.append('INBOX', '($Work)', None, b'Subject: third\r\n\r\nHello three\r\n'))
            show('select', c.select('INBOX'))
            show('exists', c.response('EXISTS'))
            show('fetch', c.fetch('1:3', '(UID FLAGS RFC822.SIZE)'))
            typ, data = c.fetch('2', '(BODY.PEEK[])')
            print('body2', data[0][1].decode().replace('\r\n', '|'))
            typ, data = c.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
            print('header1', data[0][1].decode().replace('\r\n', '|'))
            show('store', c.store('2', '+FLAGS', '(\\Flagged \\Deleted)'))
            show('copy', c.copy('1:2', 'Work/Reports'))
            show('expunge', c.expunge())
            show('status', c.status('Work/Reports', '(MESSAGES UIDNEXT UNSEEN)'))
            show('uid-search-fallback', c.uid('FETCH', '1:*', '(FLAGS)'))
            show('rename', c.rename('Work/Reports', 'Archive'))
            show('list2', c.list())
            show('subscribe', c.subscribe('Archive'))
            show('lsub', c.lsub())
            show('delete-inbox', c.delete('INBOX'))
            show('close', c.close())
            show('logout', c.logout())
            """;
        string output = RunPython(script);
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("create OK"));
        Assert.That(output, Does.Contain("create-again NO ['[ALREADYEXISTS]"));
        Assert.That(output, Does.Contain("'(\\\\HasNoChildren) \"/\" INBOX'").Or.Contain("\"/\" INBOX"));
        Assert.That(output, Does.Contain("(\\\\Noselect \\\\HasChildren) \"/\" Work"));
        Assert.That(output, Does.Contain("append1 OK ['[APPENDUID "));
        Assert.That(output, Does.Contain("select OK ['3']"));
        Assert.That(output, Does.Contain("1 (UID 1 FLAGS (\\\\Seen \\\\Recent) RFC822.SIZE 50)"));
        Assert.That(output, Does.Contain("3 (UID 3 FLAGS ($Work \\\\Recent) RFC822.SIZE 31)"));
        Assert.That(output, Does.Contain("body2 Subject: second||Hello two|"));
        Assert.That(output, Does.Contain("header1 Subject: first||"));
        Assert.That(output, Does.Contain("store OK ['2 (FLAGS (\\\\Flagged \\\\Deleted \\\\Recent))']"));
        Assert.That(output, Does.Contain("copy OK ['[COPYUID "));
        Assert.That(output, Does.Contain("uid-search-fallback OK ['1 (UID 1 FLAGS (\\\\Seen \\\\Recent))', '2 (UID 3 FLAGS ($Work \\\\Recent))']"));
        Assert.That(output, Does.Contain("lsub OK ['(\\\\HasNoChildren) \"/\" Archive']"));
        Assert.That(output, Does.Contain("expunge OK ['2']"));
        Assert.That(output, Does.Contain("status OK ['\"Work/Reports\" (MESSAGES 2 UIDNEXT 3 UNSEEN 1)']").Or.Contain("status OK ['Work/Reports (MESSAGES 2 UIDNEXT 3 UNSEEN 1)']"));
        Assert.That(output, Does.Contain("rename OK"));
        Assert.That(output, Does.Contain("\"/\" Archive"));
        Assert.That(output, Does.Contain("delete-inbox NO"));
        Assert.That(output, Does.Contain("logout BYE"));
    }

    [Test]
    public void SecondFetchOfStructureComesFromTheCacheUnchanged()
    {
        string script = $$"""
            import imaplib
            c = imaplib.IMAP4('127.0.0.1', {{_port}})
            c.login('demo', 'demo')
            c.create('Cached')
            for i in range(5):
                c.append('Cached', None, None, ('Subject: cached %d\r\nFrom: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\npart %d\r\n--x--\r\n' % (i, i)).encode())
            c.select('Cached')
            first = c.fetch('1:*', '(ENVELOPE BODYSTRUCTURE BODY)')[1]
            c.logout()
            c = imaplib.IMAP4('127.0.0.1', {{_port}})
            c.login('demo', 'demo')
            c.select('Cached')
            second = c.fetch('1:*', '(ENVELOPE BODYSTRUCTURE BODY)')[1]
            print('same', first == second, len(first))
            print(first[0].decode())
            c.logout()
            """;
        string output = RunPython(script);
        Assert.That(output, Does.Contain("same True 5"));
        Assert.That(output, Does.Contain("BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 0 NIL NIL NIL NIL) \"mixed\""));
        string cacheFile = type == "maildir"
            ? Path.Combine(_mail, "Cached", "imap4d.cache")
            : Path.Combine(_mail, "Cached", ".imap4d", "cache");
        if (type != "maildir" || File.Exists(cacheFile))
        {
            Assert.That(new FileInfo(cacheFile).Length, Is.GreaterThan(100), "the items were cached");
        }
    }

    [Test]
    public void IdlePushesMailDeliveredByAnotherProgram()
    {
        using var client = new TcpClient("127.0.0.1", _port);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        void Send(string line) => stream.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        string Until(string prefix)
        {
            string? line;
            var seen = new StringBuilder();
            while ((line = reader.ReadLine()) is not null)
            {
                seen.AppendLine(line);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return seen.ToString();
                }
            }

            throw new EndOfStreamException(seen.ToString());
        }

        client.ReceiveTimeout = 10_000;
        Until("* OK");
        Send("a LOGIN demo demo");
        Until("a OK");
        Send("b CREATE Idle");
        Until("b ");
        Send("c SELECT Idle");
        string selected = Until("c OK");
        Assert.That(selected, Does.Contain("* 0 EXISTS"));
        Send("d IDLE");
        Until("+ ");

        var started = DateTime.UtcNow;
        Deliver(Path.Combine(_mail, "Idle"), "Subject: pushed\n\nDelivered behind the server's back.\n");
        string pushed = Until("* 1 EXISTS");
        var latency = DateTime.UtcNow - started;
        TestContext.Out.WriteLine($"IDLE push latency: {latency.TotalMilliseconds:F0} ms");
        Assert.That(latency, Is.LessThan(TimeSpan.FromSeconds(1.5)));
        Send("DONE");
        Assert.That(Until("d "), Does.Contain("d OK"));
        Send("e FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
        Assert.That(Until("e "), Does.Contain("Subject: pushed"));
        Send("z LOGOUT");
        Until("z ");
    }

    [Test]
    public void DeliveryWhileReadingAndExpunging()
    {
        using var client = new TcpClient("127.0.0.1", _port);
        client.ReceiveTimeout = 20_000;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        void Send(string line) => stream.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        List<string> Command(string tag, string command)
        {
            Send(tag + " " + command);
            var lines = new List<string>();
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lines.Add(line);
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return lines;
                }
            }

            throw new EndOfStreamException(string.Join("\n", lines));
        }

        reader.ReadLine();
        Command("a", "LOGIN demo demo");
        Command("b", "CREATE Busy");
        Command("c", "SELECT Busy");
        string folder = Path.Combine(_mail, "Busy");
        const int Deliveries = 60;
        var delivery = Task.Run(() =>
        {
            for (int i = 0; i < Deliveries; i++)
            {
                Deliver(folder, $"Subject: mda {i}\nX-Seq: {i}\n\nmessage {i}\n");
                Thread.Sleep(5);
            }
        });

        // The client's count of messages: EXISTS sets it, each EXPUNGE lowers it.
        int known = 0;
        int expunged = 0;
        void Track(List<string> lines)
        {
            foreach (string line in lines)
            {
                if (line.EndsWith(" EXISTS", StringComparison.Ordinal))
                {
                    known = int.Parse(line.Split(' ')[1]);
                }
                else if (line.EndsWith(" EXPUNGE", StringComparison.Ordinal))
                {
                    known--;
                    expunged++;
                }
            }
        }

        int round = 0;
        while ((!delivery.IsCompleted || round < 5) && round < 1000)
        {
            round++;
            Track(Command("n" + round, "NOOP"));
            if (known > 0)
            {
                var stored = Command("s" + round, "STORE 1 +FLAGS.SILENT (\\Deleted)");
                Track(stored);
                Assert.That(stored[^1], Does.StartWith("s" + round + " OK"));
                var result = Command("x" + round, "EXPUNGE");
                Track(result);
                Assert.That(result[^1], Does.StartWith("x" + round + " OK"));
            }

            if (delivery.IsCompleted)
            {
                Thread.Sleep(20);
            }
        }

        delivery.Wait();
        Track(Command("m", "NOOP"));
        var final = Command("f", "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (X-SEQ)])");
        var seqs = final.Where(l => l.StartsWith("X-Seq:", StringComparison.Ordinal)).Select(l => int.Parse(l[6..].Trim())).ToList();
        var status = Command("g", "STATUS Busy (MESSAGES)");
        TestContext.Out.WriteLine($"{type}: {round} rounds, {expunged} expunged, {seqs.Count} left of {Deliveries}; {status[0]}");
        Assert.That(final[^1], Does.StartWith("f OK"));
        Assert.That(seqs, Is.Unique, "a delivered message shows up twice");
        Assert.That(seqs.Count, Is.EqualTo(known), "the client's count and the mailbox disagree");
        Assert.That(expunged + seqs.Count, Is.EqualTo(Deliveries), $"{type}: a delivered message was lost or not noticed; {status[0]}, seen {string.Join(",", seqs.Order())}");
        Assert.That(status[0], Does.Contain($"MESSAGES {seqs.Count}"));
        Command("z", "LOGOUT");
    }

    [Test]
    public void AMessageAnotherProgramRemovedIsExpungedNotAFailure()
    {
        // The AOT binary read errno twice after the failed rename (through a conversion call
        // that reset it) and answered "NO [UNAVAILABLE] Mailbox operation failed (rename: 0)".
        using var client = new TcpLineClient(_port);
        client.ReadLine();
        client.Command("a", "LOGIN demo demo");
        client.Command("b", "CREATE Vanishing");
        string folder = Path.Combine(_mail, "Vanishing");
        Deliver(folder, "Subject: one\n\nfirst\n");
        Deliver(folder, "Subject: two\n\nsecond\n");
        Assert.That(client.Command("c", "SELECT Vanishing"), Has.Some.Contains("* 2 EXISTS"));
        var files = type == "maildir"
            ? Directory.GetFiles(Path.Combine(folder, "cur")).Concat(Directory.GetFiles(Path.Combine(folder, "new"))).Order().ToList()
            : Directory.GetFiles(folder).Where(f => Path.GetFileName(f).All(char.IsAsciiDigit)).OrderBy(f => int.Parse(Path.GetFileName(f))).ToList();
        Assert.That(files, Has.Count.EqualTo(2));
        File.Delete(files.Single(f => File.ReadAllText(f).Contains("Subject: one"))); // mutt, another client or the user removed it

        var stored = client.Command("d", "STORE 1:2 +FLAGS (\\Seen)");
        Assert.That(stored[^1], Does.Not.Contain("UNAVAILABLE"), string.Join("\n", stored));
        Assert.That(stored[^1], Does.StartWith("d OK").Or.StartWith("d NO [EXPUNGEISSUED]"), string.Join("\n", stored));
        var noop = client.Command("e", "NOOP");
        Assert.That(stored.Concat(noop).Count(l => l.EndsWith(" EXPUNGE", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(client.Command("f", "FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"), Has.Some.Contains("Subject: two"));
        client.Command("z", "LOGOUT");
    }

    /// <summary>Drops a message into a folder the way a delivery agent does (tmp→new for maildir, next number for MH).</summary>
    private void Deliver(string folder, string message)
    {
        if (type == "maildir")
        {
            string name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.M{Random.Shared.Next()}P{Environment.ProcessId}.test";
            string tmp = Path.Combine(folder, "tmp", name);
            File.WriteAllText(tmp, message);
            File.Move(tmp, Path.Combine(folder, "new", name));
            return;
        }

        int next = Directory.EnumerateFiles(folder).Select(Path.GetFileName)
            .Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!)).DefaultIfEmpty(0).Max() + 1;
        string temp = Path.Combine(folder, ",tmp" + next);
        File.WriteAllText(temp, message);
        File.Move(temp, Path.Combine(folder, next.ToString()));
    }

    private static string RunPython(string script)
    {
        var info = new System.Diagnostics.ProcessStartInfo(RepoPaths.FindProgram("python3") ?? "python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit(60_000);
        Assert.That(process.ExitCode, Is.EqualTo(0), stdout + stderr.Result);
        return stdout;
    }
}
