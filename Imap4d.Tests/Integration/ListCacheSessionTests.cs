using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// The real binary: a session that LISTs again after another session (its own process) or a
/// shell made, removed or renamed folders sees every change at once, though it keeps what it
/// learnt of each folder between LISTs.
/// </summary>
[Category("Integration")]
[TestFixture("maildir")]
[TestFixture("mbox")]
[TestFixture("mh")]
public class ListCacheSessionTests(string type)
{
    private string _dir = null!;
    private string _config = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"imap4d-listcache-{type}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(_dir, "mail"));
        _config = Path.Combine(_dir, "imap4d.conf");
        File.WriteAllText(_config, $$"""
            logging { syslog false; };
            namespace personal { prefix "" { directory "{{_dir}}/mail"; delimiter "/"; mailbox-type "{{type}}"; }; };
            mailbox { mailbox-type {{type}}; mailbox-pattern "{{type}}://{{_dir}}/mail/INBOX"; };
            """);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private sealed class Session(string config) : PreauthSession(config)
    {
        public List<string> List() => Command("LIST \"\" \"*\"").Where(l => l.StartsWith("* LIST", StringComparison.Ordinal)).ToList();
    }

    [Test]
    public void ChangesByAnotherSessionAndByHandShowInTheNextList()
    {
        using var watcher = new Session(_config);
        using (var maker = new Session(_config))
        {
            for (int i = 0; i < 20; i++)
            {
                maker.Command($"CREATE \"box/f{i}\"");
            }
        }

        Assert.That(watcher.List(), Has.Some.EndsWith(" box/f7"));
        Thread.Sleep(1300); // every stamp settled: the next LISTs answer from what the session kept
        var settled = watcher.List();
        Assert.That(watcher.List(), Is.EqualTo(settled));

        using (var other = new Session(_config))
        {
            other.Command("CREATE \"box/new\"");
            other.Command("DELETE \"box/f3\"");
            other.Command("RENAME \"box/f4\" \"box/g4\"");
        }

        var list = watcher.List();
        Assert.That(list, Has.Some.EndsWith(" box/new"));
        Assert.That(list, Has.None.EndsWith(" box/f3"));
        Assert.That(list, Has.None.EndsWith(" box/f4"));
        Assert.That(list, Has.Some.EndsWith(" box/g4"));

        // A shell, in the same second: a folder made and one taken away between two LISTs.
        string box = Path.Combine(_dir, "mail", "box");
        if (type == "mbox")
        {
            File.WriteAllText(Path.Combine(box, "shell"), "");
            File.Delete(Path.Combine(box, "f5"));
        }
        else
        {
            Directory.Move(Path.Combine(box, "f6"), Path.Combine(box, "f5", "inner"));
            Directory.Delete(Path.Combine(box, "f7"), recursive: true);
        }

        list = watcher.List();
        if (type == "mbox")
        {
            Assert.That(list, Has.Some.EndsWith(" box/shell"));
            Assert.That(list, Has.None.EndsWith(" box/f5"));
        }
        else
        {
            Assert.That(list, Has.Some.EndsWith(" box/f5/inner"));
            Assert.That(list, Has.Some.Matches<string>(l => l.Contains("HasChildren") && l.EndsWith(" box/f5")));
            Assert.That(list, Has.None.EndsWith(" box/f6"));
            Assert.That(list, Has.None.EndsWith(" box/f7"));
        }

        using var fresh = new Session(_config);
        Assert.That(list, Is.EqualTo(fresh.List()), "a new session answers the same");
    }
}
