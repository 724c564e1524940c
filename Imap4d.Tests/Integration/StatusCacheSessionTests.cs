using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The real binary, mbox: a session that repeats STATUS of a folder, and so answers it from what
/// its process kept, sees at once what another session (its own process) and programs writing the
/// mbox by hand changed: a STORE (the index alone), an APPEND, an EXPUNGE, an MDA's append, a
/// rewrite of the same size with the mtime put back. Every answer equals a new session's.
/// </summary>
[Category("Integration")]
public class StatusCacheSessionTests
{
    private const string Items = "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)";
    private const string FromLine = "From mda@example.org Mon Dec  7 10:00:00 2026\n";

    private string _dir = null!;
    private string _config = null!;
    private string _box = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"imap4d-statuscache-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_dir, "mail"));
        _box = Path.Combine(_dir, "mail", "box", "f");
        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog false; };
            namespace personal { prefix "" { directory "{{_dir}}/mail"; delimiter "/"; mailbox-type "mbox"; }; };
            mailbox { mailbox-type mbox; mailbox-pattern "mbox://{{_dir}}/mail/INBOX"; };
            """);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private sealed class Session(string config) : PreauthSession(config)
    {
        public string Status(string mailbox) => Command($"STATUS {mailbox} {Items}").Single(l => l.StartsWith("* STATUS", StringComparison.Ordinal));
    }

    /// <summary>Lets every stamp settle, then STATUS twice (the second from what the process kept).</summary>
    private string Kept(Session watcher)
    {
        Thread.Sleep(1300);
        watcher.Status("box/f");
        Thread.Sleep(1300);
        watcher.Status("box/f");
        return watcher.Status("box/f");
    }

    /// <summary>The watcher's STATUS, checked against a new session's.</summary>
    private string StatusBoth(Session watcher)
    {
        string status = watcher.Status("box/f");
        using var fresh = new Session(_config);
        Assert.That(status, Is.EqualTo(fresh.Status("box/f")), "a new session answers the same");
        return status;
    }

    [Test]
    public void ChangesByAnotherSessionAndByHandShowInTheNextStatus()
    {
        using var watcher = new Session(_config);
        using (var maker = new Session(_config))
        {
            maker.Command("CREATE box/f");
            for (int i = 0; i < 3; i++)
            {
                maker.Append("box/f", "m" + i);
            }
        }

        Assert.That(Kept(watcher), Does.Contain("MESSAGES 3 ").And.Contain("UNSEEN 3"));

        // Another session's STORE: the index alone changes while it keeps the folder selected.
        using (var other = new Session(_config))
        {
            other.Command("SELECT box/f");
            Kept(watcher);
            other.Command("STORE 1 +FLAGS (\\Seen)");
            Assert.That(StatusBoth(watcher), Does.Contain("UNSEEN 2"));
            Kept(watcher);
            other.Command("STORE 2 +FLAGS (\\Deleted)");
            other.Command("EXPUNGE");
            Assert.That(StatusBoth(watcher), Does.Contain("MESSAGES 2 "));
            Kept(watcher);
            other.Append("box/f", "m3");
            Assert.That(StatusBoth(watcher), Does.Contain("MESSAGES 3 "));
        }

        // An MDA appends by hand, twice within one clock tick.
        Kept(watcher);
        File.AppendAllText(_box, FromLine + "Subject: mda\n\nbody\n\n");
        Assert.That(StatusBoth(watcher), Does.Contain("MESSAGES 4 "));
        File.AppendAllText(_box, FromLine + "Subject: mda2\n\nbody\n\n");
        Assert.That(StatusBoth(watcher), Does.Contain("MESSAGES 5 "));

        // A mail reader rewrites it in place, same size, and puts the mtime back: the last message goes.
        Kept(watcher);
        var mtime = File.GetLastWriteTimeUtc(_box);
        string text = File.ReadAllText(_box, Encoding.Latin1);
        int last = text.LastIndexOf("\n" + FromLine, StringComparison.Ordinal);
        File.WriteAllText(_box, text[..(last + 1)] + "XXXX" + text[(last + 5)..], Encoding.Latin1);
        File.SetLastWriteTimeUtc(_box, mtime);
        Assert.That(StatusBoth(watcher), Does.Contain("MESSAGES 4 "));
    }
}
