using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.Mh;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>
/// LIST repeated in one session answers from what the session kept of each folder, checked
/// against a fresh stat: folders made, removed or renamed by another process (plain mkdir,
/// rmdir, rename, a rewritten file) between two LISTs show at once, also within the same
/// second and with the directory's mtime put back; every answer equals a fresh store's.
/// </summary>
[TestFixture("maildir")]
[TestFixture("mbox")]
[TestFixture("mh")]
public class ListCacheTests(string format)
{
    private string _root = null!;
    private string _mail = null!;
    private IMailboxDriver _driver = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imap4d-listcache-" + Guid.NewGuid().ToString("N"));
        _mail = Path.Combine(_root, "home", "mail");
        Directory.CreateDirectory(_mail);
        _driver = format switch
        {
            "maildir" => new MaildirDriver(),
            "mbox" => new MboxDriver(),
            _ => new MhDriver(),
        };
        _driver.Create(Path.Combine(_mail, "INBOX"), (UnixFileMode)0x180);
        Directory.CreateDirectory(Path.Combine(_mail, "box"));
        for (int i = 0; i < 5; i++)
        {
            _driver.Create(Path.Combine(_mail, "box", "f" + i), (UnixFileMode)0x180);
        }

        if (format != "mbox")
        {
            _driver.Create(Path.Combine(_mail, "top"), (UnixFileMode)0x180);
        }
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", format, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = format + "://$home/mail/INBOX" },
        };
        return new MailStore(settings, "demo", Path.Combine(_root, "home"),
            [new MboxDriver(), new MaildirDriver(), new MhDriver()], _ => null);
    }

    private static List<string> Dump(IEnumerable<MailboxInfo> list) =>
        list.Select(m => $"{m.Name} {m.Delimiter} {m.Attributes} {m.SpecialUse}").ToList();

    /// <summary>LIST "" "*" from the session's store, checked against a new store's (nothing kept).</summary>
    private List<string> ListBoth(MailStore session, string pattern = "*")
    {
        var kept = Dump(session.List("", pattern));
        Assert.That(kept, Is.EqualTo(Dump(NewStore().List("", pattern))), "the session's LIST differs from a fresh one");
        return kept;
    }

    /// <summary>Lets every stamp age past the second in which a change could go unseen.</summary>
    private static void Settle() => Thread.Sleep(ListCache.Settle + TimeSpan.FromMilliseconds(300));

    /// <summary>A folder of this format, made the way another program would (no server code).</summary>
    private void MakeByHand(string relative)
    {
        string path = Path.Combine(_mail, relative);
        switch (format)
        {
            case "maildir":
                foreach (string part in new[] { "cur", "new", "tmp" })
                {
                    Directory.CreateDirectory(Path.Combine(path, part));
                }

                break;
            case "mbox":
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, "From a@b Mon Dec  7 10:00:00 2026\nSubject: x\n\nbody\n");
                break;
            default:
                Directory.CreateDirectory(path);
                File.WriteAllText(Path.Combine(path, ".mh_sequences"), "");
                break;
        }
    }

    private void RemoveByHand(string relative)
    {
        string path = Path.Combine(_mail, relative);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        else
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private void Rename(string from, string to)
    {
        string a = Path.Combine(_mail, from), b = Path.Combine(_mail, to);
        if (File.Exists(a))
        {
            File.Move(a, b);
        }
        else
        {
            Directory.Move(a, b);
        }
    }

    [Test]
    public void ARepeatedListUsesWhatItKeptAndAnswersTheSame()
    {
        var session = NewStore();
        var first = ListBoth(session);
        Settle();
        ListBoth(session);
        int hits = session.ListCacheHits;
        var again = ListBoth(session);
        Assert.That(session.ListCacheHits, Is.GreaterThan(hits), "the second LIST of settled folders took nothing from the cache");
        Assert.That(again, Is.EqualTo(first));
    }

    /// <param name="aged">The change has aged past the settling time before the LIST: only the stamp's comparison can tell it.</param>
    [Test]
    public void FoldersMadeRemovedAndRenamedByHandShowAtOnce([Values] bool aged)
    {
        var session = NewStore();
        ListBoth(session);
        Settle();
        ListBoth(session);

        MakeByHand("box/new1");
        if (aged)
        {
            Settle();
        }

        Assert.That(ListBoth(session), Has.Some.StartsWith("box/new1 "));

        Settle();
        ListBoth(session);
        RemoveByHand("box/f2");
        if (aged)
        {
            Settle();
        }

        Assert.That(ListBoth(session), Has.None.StartsWith("box/f2 "));

        Settle();
        ListBoth(session);
        Rename("box/f3", "box/g3");
        if (aged)
        {
            Settle();
        }

        var list = ListBoth(session);
        Assert.That(list, Has.None.StartsWith("box/f3 "));
        Assert.That(list, Has.Some.StartsWith("box/g3 "));
    }

    [Test]
    public void ChangesWithinTheSameSecondAreNotMissed()
    {
        var session = NewStore();
        ListBoth(session);
        for (int i = 0; i < 20; i++)
        {
            MakeByHand("box/quick" + i);
            Assert.That(ListBoth(session), Has.Some.StartsWith("box/quick" + i + " "), "pass " + i);
            RemoveByHand("box/quick" + i);
            Assert.That(ListBoth(session), Has.None.StartsWith("box/quick" + i + " "), "pass " + i);
        }
    }

    [Test]
    public void AFolderGainingAChildIsSeenEvenWithItsMtimePutBack([Values] bool aged)
    {
        var session = NewStore();
        string folder = format == "mbox" ? "box" : "box/f1";
        string child = folder + "/child";
        ListBoth(session);
        Settle();
        ListBoth(session);

        string path = Path.Combine(_mail, folder);
        Assert.That(Mono.Unix.Native.Syscall.stat(path, out var before), Is.Zero);
        MakeByHand(child);

        // The mtime put back to the nanosecond, as a careless sync tool would: only the ctime tells.
        var times = new[]
        {
            new Mono.Unix.Native.Timespec { tv_sec = before.st_atime, tv_nsec = before.st_atime_nsec },
            new Mono.Unix.Native.Timespec { tv_sec = before.st_mtime, tv_nsec = before.st_mtime_nsec },
        };
        Assert.That(Mono.Unix.Native.Syscall.utimensat(Mono.Unix.Native.Syscall.AT_FDCWD, path, times, 0), Is.Zero);
        Assert.That(Mono.Unix.Native.Syscall.stat(path, out var after), Is.Zero);
        Assert.That((after.st_mtime, after.st_mtime_nsec), Is.EqualTo((before.st_mtime, before.st_mtime_nsec)));
        if (aged)
        {
            Settle();
        }

        var list = ListBoth(session);
        Assert.That(list, Has.Some.StartsWith(child + " "));
        Assert.That(list, Has.Some.Matches<string>(l => l.StartsWith(folder + " ") && l.Contains("HasChildren")));
    }

    [Test]
    public void AFolderTurnedIntoAnotherThingIsSeen([Values] bool aged)
    {
        var session = NewStore();
        ListBoth(session);
        Settle();
        ListBoth(session);

        if (format == "mbox")
        {
            // The same file rewritten so that it is no mbox any more, and an empty one made an mbox.
            File.WriteAllText(Path.Combine(_mail, "box", "f1"), "not a mailbox\n");
            File.WriteAllText(Path.Combine(_mail, "box", "f2"), "From a@b Mon Dec  7 10:00:00 2026\n\nx\n");
            if (aged)
            {
                Settle();
            }

            var list = ListBoth(session);
            Assert.That(list, Has.None.StartsWith("box/f1 "));
        }
        else
        {
            // A folder's mailbox parts taken away (it becomes \Noselect), another's put in a plain directory.
            if (format == "maildir")
            {
                Directory.Delete(Path.Combine(_mail, "box", "f1", "cur"));
            }
            else
            {
                File.Delete(Path.Combine(_mail, "box", "f1", ".mh_sequences"));
            }

            Directory.CreateDirectory(Path.Combine(_mail, "plain"));
            ListBoth(session);
            Settle();
            ListBoth(session);
            MakeByHand("plain");
            if (aged)
            {
                Settle();
            }

            Assert.That(ListBoth(session), Has.Some.Matches<string>(l => l.StartsWith("plain ") && !l.Contains("Noselect")));
        }
    }

    [Test]
    public void ADirectoryPutInAnothersPlaceIsSeen([Values] bool aged)
    {
        var session = NewStore();
        MakeByHand("other/inner");
        ListBoth(session);
        Settle();
        ListBoth(session);

        // Swap two directories by renames: each name now has another inode.
        Rename("box", "swap");
        Rename("other", "box");
        Rename("swap", "other");
        if (aged)
        {
            Settle();
        }

        var list = ListBoth(session);
        Assert.That(list, Has.Some.StartsWith("box/inner "));
        Assert.That(list, Has.Some.StartsWith("other/f0 "));
    }
}
