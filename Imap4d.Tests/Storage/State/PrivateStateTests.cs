using System.Text;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Mbox;
using Imap4d.Storage.State;
using Mono.Unix.Native;

namespace Imap4d.Tests.Storage.State;

/// <summary>
/// Where the state of a mailbox (index, FETCH cache, journal, UIDVALIDITY counter) is written and
/// with which modes: only in directories private to the user, files 0600 and directories 0700
/// whatever the umask, and nowhere at all (an index in memory) when no private place exists.
/// </summary>
[NonParallelizable]
public class PrivateStateTests
{
    private string _root = null!;
    private string _state = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("i4-private-").FullName;
        _state = Path.Combine(_root, "state");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void UidValidityNeverRepeatsAndTheCounterFileWins()
    {
        var one = new UserStateDirectory(_state);
        var two = new UserStateDirectory(_state);
        var given = Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? one : two).NextUidValidity()).ToList();
        Assert.That(given, Is.Ordered.Ascending.And.Unique);
        Assert.That(File.ReadAllText(Path.Combine(_state, "uidvalidity")).Trim(), Is.EqualTo(given[^1].ToString()));

        // Another process of the user went further ahead: its value is respected.
        uint ahead = given[^1] + 1000;
        File.WriteAllText(Path.Combine(_state, "uidvalidity"), ahead + "\n");
        Assert.That(new UserStateDirectory(_state).NextUidValidity(), Is.EqualTo(ahead + 1));
        Assert.That(ModeOf(_state), Is.EqualTo("700"));
        Assert.That(ModeOf(Path.Combine(_state, "uidvalidity")), Is.EqualTo("600"));
    }

    [Test]
    public void StateFilesAre0600AndDirectories0700WhateverTheUmask()
    {
        string mail = Path.Combine(_root, "mail");
        Directory.CreateDirectory(mail);
        var drivers = MailDrivers.CreateDefault(new UserStateDirectory(_state));
        var old = Syscall.umask(0);
        try
        {
            foreach (var driver in drivers)
            {
                string path = Path.Combine(mail, driver.Type);
                driver.Create(path, (UnixFileMode)0x180);
                using var box = driver.Open(path, driver.Type, readOnly: false);
                box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: hi\r\n\r\nbody\r\n")), FlagSet.Empty, DateTimeOffset.UtcNow);
                box.Sync();
                box.Checkpoint();
                using var cache = Imap4d.Storage.Index.FetchCache.Open(box.FetchCacheFile, box.UidValidity);
                Assert.That(cache, Is.Not.Null, driver.Type + " has a FETCH cache");
                cache!.Put(box.Messages[0], Imap4d.Storage.Index.FetchCacheItem.Envelope, "(x)"u8);
            }
        }
        finally
        {
            Syscall.umask(old);
        }

        var stateFiles = Directory.EnumerateFiles(mail, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains("/.imap4d/") || Path.GetFileName(f).StartsWith("imap4d", StringComparison.Ordinal)).ToList();
        Assert.That(stateFiles.Select(Path.GetFileName), Is.SupersetOf(new[] { "mbox.index", "mbox.cache", "imap4d.index", "imap4d.cache", "imap4d-uidlist", "index", "cache" }));
        foreach (string file in stateFiles)
        {
            Assert.That(ModeOf(file), Is.EqualTo("600"), file);
        }

        Assert.That(ModeOf(Path.Combine(mail, ".imap4d")), Is.EqualTo("700"));
        Assert.That(ModeOf(Path.Combine(mail, "mh", ".imap4d")), Is.EqualTo("700"));
    }

    [Test]
    public void AnExistingWiderCacheOrIndexOfOursIsNarrowed()
    {
        Directory.CreateDirectory(_state);
        string file = Path.Combine(_state, "leaked.cache");
        File.WriteAllText(file, "");
        Syscall.chmod(file, (FilePermissions)0x1a4); // 0644, as caches were created before
        using (Imap4d.Storage.Index.FetchCache.Open(file, 7))
        {
        }

        Assert.That(ModeOf(file), Is.EqualTo("600"));
    }

    [TestCase(0x1fd, TestName = "GroupWritableDirectory")]   // 0775, as a group's shared folder
    [TestCase(0x5fd, TestName = "DebianSpoolDirectory")]     // 02775, /var/mail
    [TestCase(0x3ff, TestName = "StickyWorldWritableDirectory")] // 01777, /tmp-like spool
    public void AnMboxInADirectoryOthersCanWriteKeepsItsIndexInTheStateDirectory(int mode)
    {
        string spool = Path.Combine(_root, "spool");
        Directory.CreateDirectory(spool);
        Syscall.chmod(spool, (FilePermissions)(uint)mode);
        var driver = new MboxDriver(userState: new UserStateDirectory(_state));
        string inbox = Path.Combine(spool, "user");
        driver.Create(inbox, (UnixFileMode)0x180);
        using (var box = driver.Open(inbox, "INBOX", readOnly: false))
        {
            box.Append(new MemoryStream("Subject: hi\r\n\r\nbody\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow);
            box.Checkpoint();
        }

        Assert.That(Directory.EnumerateFileSystemEntries(spool).Select(Path.GetFileName), Is.EqualTo(new[] { "user" }), "nothing written beside the spool mailbox");
        Assert.That(driver.IndexPathFor(inbox), Does.StartWith(Path.Combine(_state, "index") + "/user-"));
        Assert.That(File.Exists(driver.IndexPathFor(inbox)), Is.True);
    }

    [Test]
    public void LeftoversOfEarlierVersionsInTheSpoolAreRemoved()
    {
        string spool = Path.Combine(_root, "spool");
        Directory.CreateDirectory(Path.Combine(spool, ".imap4d"));
        Syscall.chmod(spool, (FilePermissions)0x5fd);
        File.WriteAllText(Path.Combine(spool, ".imap4d", "user.cache"), "ENVELOPE of a private message");
        File.WriteAllText(Path.Combine(spool, ".imap4d", "user.index"), "");
        File.WriteAllText(Path.Combine(spool, ".imap4d", "other.cache"), "not this mailbox's");
        var driver = new MboxDriver(userState: new UserStateDirectory(_state));
        string inbox = Path.Combine(spool, "user");
        driver.Create(inbox, (UnixFileMode)0x180);
        driver.Open(inbox, "INBOX", readOnly: true).Dispose();
        Assert.That(Directory.EnumerateFiles(Path.Combine(spool, ".imap4d")).Select(Path.GetFileName), Is.EqualTo(new[] { "other.cache" }));
    }

    [Test]
    public void ASymbolicLinkInPlaceOfTheStateDirectoryIsNotFollowed()
    {
        string elsewhere = Path.Combine(_root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.CreateSymbolicLink(_state, elsewhere);
        string spool = Path.Combine(_root, "spool");
        Directory.CreateDirectory(spool);
        Syscall.chmod(spool, (FilePermissions)0x5fd);
        var driver = new MboxDriver(userState: new UserStateDirectory(_state));
        string inbox = Path.Combine(spool, "user");
        driver.Create(inbox, (UnixFileMode)0x180);
        using (var box = driver.Open(inbox, "INBOX", readOnly: false))
        {
            box.Append(new MemoryStream("Subject: hi\r\n\r\nbody\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow);
            box.Sync();
            box.Checkpoint();
            Assert.That(box.Messages, Has.Count.EqualTo(1), "the mailbox works with an index in memory");
            Assert.That(box.FetchCacheFile, Is.Null);
        }

        Assert.That(Directory.EnumerateFileSystemEntries(elsewhere), Is.Empty);
        Assert.That(Directory.EnumerateFileSystemEntries(spool).Select(Path.GetFileName), Is.EqualTo(new[] { "user" }));
    }

    [Test]
    public void AMaildirOthersCanWriteKeepsItsIndexAndCacheInTheStateDirectory()
    {
        string path = Path.Combine(_root, "shared");
        var driver = new MaildirDriver(new UserStateDirectory(_state));
        driver.Create(path, (UnixFileMode)0x1b0);
        Syscall.chmod(path, (FilePermissions)0x1f8); // 0770: a maildir a group shares
        using (var box = driver.Open(path, "shared", readOnly: false))
        {
            box.Append(new MemoryStream("Subject: hi\r\n\r\nbody\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow);
            box.Sync();
            box.Checkpoint();
            Assert.That(box.FetchCacheFile, Does.StartWith(Path.Combine(_state, "index")));
        }

        Assert.That(File.Exists(Path.Combine(path, MaildirMailbox.IndexFileName)), Is.False);
        Assert.That(Directory.EnumerateFiles(Path.Combine(_state, "index"), "shared-*.index").Count(), Is.EqualTo(1));
        driver.Delete(path);
        Assert.That(Directory.EnumerateFiles(Path.Combine(_state, "index")), Is.Empty, "DELETE removes the state kept elsewhere");
    }

    private static string ModeOf(string path)
    {
        Assert.That(Syscall.lstat(path, out var st), Is.Zero, path);
        return Convert.ToString((int)st.st_mode & 0xfff, 8);
    }
}
