using System.Text;
using System.Text.RegularExpressions;
using Imap4d.Storage;
using Imap4d.Tests.Support;
using Mono.Unix.Native;

namespace Imap4d.Tests.Integration;

/// <summary>
/// Kills the real imap4d with SIGKILL at random moments while it appends, stores flags,
/// expunges, copies and renames, then checks every mailbox against the set of messages it
/// must, may and must not contain: nothing acknowledged is lost, nothing is duplicated or
/// altered, whatever instant the process died.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class CrashSafetyTests
{
    private const int Iterations = 25;

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void KilledWritersNeverLoseOrCorruptMail(string type)
    {
        var driver = MailDrivers.CreateDefault().FirstOrDefault(d => d.Type == type);
        if (driver is null)
        {
            Assert.Ignore($"no {type} driver in this build");
        }

        string root = Path.Combine(Path.GetTempPath(), $"imap4d-crash-{type}-{Guid.NewGuid():N}");
        string mail = Path.Combine(root, "mail");
        Directory.CreateDirectory(mail);
        string config = Path.Combine(root, "imap4d.conf");
        File.WriteAllText(config, $$"""
            logging { syslog no; severity warning; };
            mailbox { mailbox-pattern "{{type}}://{{mail}}/INBOX"; };
            namespace personal { prefix "" { directory "{{mail}}"; delimiter "/"; mailbox-type {{type}}; }; };
            """);
        var random = new Random(TestContext.CurrentContext.Random.Next());
        // Markers known to be in INBOX (and their bodies), after each verified iteration.
        var inbox = new Dictionary<int, string>();
        var copies = new Dictionary<int, string>();
        // Every message ever written, to check that whatever is found is intact.
        var originals = new Dictionary<int, string>();
        int nextMarker = 1;
        try
        {
            for (int iteration = 0; iteration < Iterations; iteration++)
            {
                var appended = new List<(int Marker, string Tag)>();
                var script = new StringBuilder("k CREATE Copies\r\ns SELECT INBOX\r\n");
                for (int i = 0; i < 4; i++)
                {
                    int marker = nextMarker++;
                    string body = Body(marker);
                    inbox.TryAdd(marker, body); // provisional: may or may not survive
                    originals[marker] = body;
                    string tag = "a" + i;
                    appended.Add((marker, tag));
                    script.Append($"{tag} APPEND INBOX (\\Seen) {{{Encoding.UTF8.GetByteCount(body)}+}}\r\n{body}\r\n");
                }

                script.Append("f1 STORE 1:2 +FLAGS (\\Flagged $Work)\r\n");
                script.Append("d1 STORE 3 +FLAGS (\\Deleted)\r\n");
                script.Append("x1 EXPUNGE\r\n");
                script.Append("c1 COPY 1:* Copies\r\n");
                script.Append("r1 RENAME Copies Renamed\r\n");
                script.Append("r2 RENAME Renamed Copies\r\n");
                script.Append("z LOGOUT\r\n");

                var before = Snapshot(driver, unique: true, Path.Combine(mail, "INBOX"));
                // The kill follows the server's progress, not the clock: after a random number of the
                // script's 13 answers, plus up to 30 ms into the next command, so every stage gets
                // killed however fast or loaded the machine is.
                var acknowledged = RunAndKill(config, script.ToString(), random.Next(0, 13), random.Next(0, 30));
                var after = Snapshot(driver, unique: true, Path.Combine(mail, "INBOX"));
                // Every iteration copies INBOX again, so the copies hold duplicates by design.
                var copiesAfter = Snapshot(driver, unique: false, Path.Combine(mail, "Copies"), Path.Combine(mail, "Renamed"));

                // Nothing duplicated, nothing altered, nothing unknown.
                AssertIntact(after.Bodies, originals, "INBOX", iteration);
                AssertIntact(copiesAfter.Bodies, originals, "Copies", iteration);

                // What may vanish: messages already \Deleted, and the one at sequence 3 that this script deletes.
                var order = before.Order.Concat(appended.Select(a => a.Marker)).ToList();
                var mayVanish = before.Deleted.ToHashSet();
                if (order.Count >= 3)
                {
                    mayVanish.Add(order[2]);
                }

                foreach (int marker in before.Order.Where(m => !mayVanish.Contains(m)))
                {
                    Assert.That(after.Bodies.Keys, Does.Contain(marker), $"iteration {iteration}: message {marker} lost");
                }

                foreach (var (marker, tag) in appended.Where(a => acknowledged.Contains(a.Tag) && !mayVanish.Contains(a.Marker)))
                {
                    Assert.That(after.Bodies.Keys, Does.Contain(marker), $"iteration {iteration}: acknowledged APPEND {marker} ({tag}) lost");
                }

                foreach (var marker in inbox.Keys.Where(m => !after.Bodies.ContainsKey(m)).ToList())
                {
                    inbox.Remove(marker);
                }

                foreach (var (marker, body) in copiesAfter.Bodies)
                {
                    copies[marker] = body;
                }
            }

            TestContext.Out.WriteLine($"{type}: {Iterations} kills, {inbox.Count} messages in INBOX, {copies.Count} distinct copied");
            // Only a sanity check that kills did not all land before the first command: a loaded
            // machine gets less done per run, and the integrity checks above are the real test.
            Assert.That(inbox.Count, Is.GreaterThan(Iterations / 5), "the writers hardly got to work before being killed");
            Assert.That(copies.Count, Is.GreaterThan(0), "no COPY ever completed");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// `imap4d --deliver` killed at random moments: afterwards (and after one more delivery,
    /// which recovers whatever the killed one left) every message is there once and whole, every
    /// delivery that exited 0 is there, and a session sees them with strictly increasing UIDs.
    /// </summary>
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void KilledDeliveriesNeverLoseOrDuplicateMail(string type)
    {
        using var root = new DeliveryRoot(type);
        var random = new Random(TestContext.CurrentContext.Random.Next());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(root.Deliver(DeliveryBody(0), DeliveryRoot.User).Code, Is.Zero);
        int full = Math.Max(20, (int)clock.ElapsedMilliseconds);
        var acknowledged = new List<int> { 0 };
        for (int marker = 1; marker <= Iterations; marker++)
        {
            using var lda = ServerProcess.Start("--config-file=" + root.Config, "--deliver", DeliveryRoot.User);
            lda.Process.StandardInput.Write(DeliveryBody(marker));
            lda.Process.StandardInput.Close();
            Thread.Sleep(random.Next(0, full + full / 4));
            Syscall.kill(lda.Process.Id, Signum.SIGKILL);
            lda.Process.WaitForExit(10_000);
            // A child that finished before the kill exits 0: it must be there.
            if (lda.Process.ExitCode == 0)
            {
                acknowledged.Add(marker);
            }
        }

        Assert.That(root.Deliver(DeliveryBody(Iterations + 1), DeliveryRoot.User).Code, Is.Zero);
        acknowledged.Add(Iterations + 1);

        using var session = ServerProcess.Start("--test", "--config-file=" + root.Config);
        Assert.That(session.Process.StandardOutput.ReadLine(), Does.StartWith("* OK"));
        session.Process.StandardInput.Write($"a LOGIN {DeliveryRoot.User} {DeliveryRoot.Password}\r\nb SELECT INBOX\r\n"
            + "c FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (X-Marker)])\r\nd LOGOUT\r\n");
        session.Process.StandardInput.Flush();
        string fetched = Imap4d.Tests.Delivery.DeliverCommandTests.ReadUntil(session.Process.StandardOutput, "c ");
        Assert.That(fetched, Does.Contain("c OK"), fetched);
        var found = Regex.Matches(fetched, @"UID (\d+) RFC822\.SIZE (\d+) BODY\[HEADER\.FIELDS \(X-MARKER\)\] \{\d+\}\r?\nX-Marker: (\d+)", RegexOptions.IgnoreCase)
            .Select(m => (Uid: uint.Parse(m.Groups[1].Value), Size: long.Parse(m.Groups[2].Value), Marker: int.Parse(m.Groups[3].Value))).ToList();
        Assert.That(found.Select(f => f.Uid), Is.Ordered.Ascending.And.Unique, fetched);
        Assert.That(found.Select(f => f.Marker), Is.Unique, "a message delivered twice");
        foreach (var (uid, size, marker) in found)
        {
            string expected = "Return-Path: <>\r\n" + DeliveryBody(marker).Replace("\n", "\r\n");
            Assert.That(size, Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(expected) - "Return-Path: <>\r\n".Length)
                .Or.EqualTo(System.Text.Encoding.UTF8.GetByteCount(expected)), $"message {marker} (UID {uid}) is not whole");
        }

        Assert.That(found.Select(f => f.Marker), Is.SupersetOf(acknowledged), "a delivery that exited 0 is missing");
        TestContext.Out.WriteLine($"{type}: {Iterations} killed deliveries, {acknowledged.Count - 2} finished first, {found.Count} messages kept");
    }

    private static string DeliveryBody(int marker) =>
        $"From: crash@example.org\nSubject: delivery {marker}\nX-Marker: {marker}\n\n"
        + string.Concat(Enumerable.Range(0, 200 + marker * 37 % 500).Select(i => $"line {i} of delivery {marker}\n"));

    private static string Body(int marker) =>
        $"From: crash@example.org\r\nSubject: crash test {marker}\r\nX-Marker: {marker}\r\n\r\n" +
        string.Concat(Enumerable.Range(0, marker % 7 + 1).Select(i => $"line {i} of message {marker}\r\nFrom the middle\r\n"));

    /// <summary>Runs the script against a fresh imap4d and SIGKILLs it after <paramref name="delayMs"/>; returns acknowledged tags.</summary>
    private static HashSet<string> RunAndKill(string config, string script, int answersFirst, int delayMs)
    {
        var acknowledged = new HashSet<string>();
        int answers = 0;
        using var enough = new ManualResetEventSlim(answersFirst == 0);
        using var server = ServerProcess.Start("--test", "--preauth", "--config-file=" + config);
        string? greeting = server.Process.StandardOutput.ReadLine();
        Assert.That(greeting, Does.StartWith("* PREAUTH"), server.Stderr);
        var reader = Task.Run(() =>
        {
            string? line;
            while ((line = server.Process.StandardOutput.ReadLine()) is not null)
            {
                var match = Regex.Match(line, @"^(\w+) (OK|NO|BAD) ");
                if (!match.Success)
                {
                    continue;
                }

                if (match.Groups[2].Value == "OK")
                {
                    lock (acknowledged)
                    {
                        acknowledged.Add(match.Groups[1].Value);
                    }
                }

                if (Interlocked.Increment(ref answers) >= answersFirst)
                {
                    enough.Set();
                }
            }

            enough.Set();
        });
        try
        {
            server.Process.StandardInput.Write(script);
            server.Process.StandardInput.Flush();
        }
        catch (IOException)
        {
        }

        enough.Wait(TimeSpan.FromSeconds(30));
        Thread.Sleep(delayMs);
        Syscall.kill(server.Process.Id, Signum.SIGKILL);
        server.Process.WaitForExit(10_000);
        reader.Wait(10_000);
        lock (acknowledged)
        {
            return [.. acknowledged];
        }
    }

    /// <summary>The messages of the first existing mailbox of <paramref name="paths"/>: bodies by marker, UID order, \Deleted ones.</summary>
    private static (Dictionary<int, string> Bodies, List<int> Order, List<int> Deleted) Snapshot(IMailboxDriver driver, bool unique, params string[] paths)
    {
        var bodies = new Dictionary<int, string>();
        var order = new List<int>();
        var deleted = new List<int>();
        string? path = paths.FirstOrDefault(driver.Detect);
        if (path is null)
        {
            return (bodies, order, deleted);
        }

        IMailbox box;
        try
        {
            box = driver.Open(path, "check", readOnly: true);
        }
        catch (StorageException e)
        {
            string lockFile = path + ".lock";
            string holder = File.Exists(lockFile) ? File.ReadAllText(lockFile).Trim() : "(none)";
            string alive = int.TryParse(holder, out int pid) && Directory.Exists("/proc/" + pid)
                ? File.ReadAllText($"/proc/{pid}/status").Split('\n').FirstOrDefault(l => l.StartsWith("State")) ?? "?"
                : "gone";
            throw new AssertionException($"{path}: {e.Message}; lock holder {holder} ({alive})");
        }

        using var _ = box;
        foreach (var message in box.Messages)
        {
            using var stream = box.OpenContent(message.Uid);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            string text = Encoding.UTF8.GetString(copy.ToArray());
            var match = Regex.Match(text, @"X-Marker: (\d+)");
            Assert.That(match.Success, Is.True, "a message without its marker: " + text);
            int marker = int.Parse(match.Groups[1].Value);
            Assert.That(unique && bodies.ContainsKey(marker), Is.False, $"message {marker} is there twice in {path}");
            Assert.That(copy.Length, Is.EqualTo(message.Size), $"RFC822.SIZE of {marker} is wrong");
            bodies[marker] = text;
            order.Add(marker);
            if (message.Flags.Has(Imap4d.Storage.MessageFlags.Deleted))
            {
                deleted.Add(marker);
            }
        }

        return (bodies, order, deleted);
    }

    private static void AssertIntact(Dictionary<int, string> found, Dictionary<int, string> originals, string where, int iteration)
    {
        foreach (var (marker, text) in found)
        {
            Assert.That(originals.ContainsKey(marker), Is.True, $"iteration {iteration}: unknown message {marker} in {where}");
            Assert.That(text, Is.EqualTo(originals[marker]), $"iteration {iteration}: message {marker} altered in {where}");
        }
    }
}
