using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>
/// Issue 11, items 3-6: names resolve and list as in GNU imap4d 3.15 with its configuration style:
/// a second personal prefix with its own delimiter, an other users' namespace by $user, and an
/// mbox INBOX in a spool outside the personal directory (measured against GNU by GnuDifferentialTests).
/// </summary>
public class GnuNamespaceTests
{
    private string _root = null!;
    private MailStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imap4d-gnuns-" + Guid.NewGuid().ToString("N"));
        foreach (string mbox in new[] { "spool/demo", "home/Drafts", "home/work/projects", "archive/2023", "archive/a/b", "archive/archive.mbox.1", "users/foo/INBOX", "users/foo/Sent" })
        {
            string path = Path.Combine(_root, mbox);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "From a@example.com Mon Jan  1 10:00:00 2024\nSubject: x\n\nbody\n\n");
        }

        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [
                    new NamespacePrefix(NamespaceKind.Personal, "", '/', _root + "/home", null, null),
                    new NamespacePrefix(NamespaceKind.Personal, "#archive:", '.', _root + "/archive", null, null),
                ],
                [new NamespacePrefix(NamespaceKind.Other, "~", '/', _root + "/users/$user", null, null)],
                []),
            Mailbox = new MailboxSettings { MailboxPattern = _root + "/spool/$user" },
        };
        // No user but demo is in "passwd": foo is known only by its directory.
        _store = new MailStore(settings, "demo", _root + "/home", MailDrivers.CreateDefault(), u => u == "demo" ? _root + "/home" : null);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private List<string> Names(string reference, string pattern) =>
        _store.List(reference, pattern).Select(i => i.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>Item 3: only $home needs a user lookup; $user is the first component after the prefix.</summary>
    [Test]
    public void OtherUsersDirectoryByUserNeedsNoPasswdEntry()
    {
        Assert.That(_store.Resolve("~foo/INBOX").FileSystemPath, Is.EqualTo(_root + "/users/foo/INBOX"));
        using (var box = _store.Open("~foo/INBOX", readOnly: true))
        {
            Assert.That(box.Messages, Has.Count.EqualTo(1));
        }

        Assert.That(_store.Status("~foo/Sent").Messages, Is.EqualTo(1));
        Assert.That(Names("~foo/", "*"), Is.EqualTo(new[] { "~foo/INBOX", "~foo/Sent" }));
        Assert.That(Names("", "~foo/%"), Is.EqualTo(new[] { "~foo/INBOX", "~foo/Sent" }));
    }

    [TestCase("~../x")]
    [TestCase("~./x")]
    public void OtherUsersNameCannotClimbOutOfTheDirectory(string name) =>
        Assert.That(Assert.Throws<StorageException>(() => _store.Resolve(name))!.Error, Is.EqualTo(StorageError.NotFound));

    /// <summary>Item 4: exact names under a prefix with its own delimiter; file names holding that delimiter are not mailboxes.</summary>
    [Test]
    public void PrefixWithItsOwnDelimiterResolvesExactNames()
    {
        Assert.That(_store.Resolve("#archive:a.b").FileSystemPath, Is.EqualTo(_root + "/archive/a/b"));
        using (var box = _store.Open("#archive:a.b", readOnly: true))
        {
            Assert.That(box.Messages, Has.Count.EqualTo(1));
        }

        Assert.That(Names("#archive:", "*"), Is.EqualTo(new[] { "#archive:2023", "#archive:a", "#archive:a.b" }));
        Assert.That(Names("#archive:a.", "*"), Is.EqualTo(new[] { "#archive:a.b" }));
        Assert.That(Names("", "#archive:%"), Is.EqualTo(new[] { "#archive:2023", "#archive:a" }));
    }

    /// <summary>Item 5: "~/" names no user (NO, as GNU); LIST "/" "*" lists the personal directory with a leading delimiter, as GNU.</summary>
    [Test]
    public void ReferenceFormsFollowGnu()
    {
        Assert.That(Assert.Throws<StorageException>(() => _store.List("~/", "*"))!.Error, Is.EqualTo(StorageError.NotFound));
        Assert.That(Names("/", "*"), Is.EqualTo(new[] { "/Drafts", "/work", "/work/projects" }));
        Assert.That(() => _store.Resolve("/Drafts"), Throws.TypeOf<StorageException>(), "names that look absolute stay refused (unlike GNU)");
        Assert.That(Names("archive", "*"), Is.Empty);
        Assert.That(Names("", "~*"), Is.Empty, "other users are never enumerated");
    }

    /// <summary>Item 6: INBOX (a spool file) is \Noinferiors; LIST "" "*" is the "" prefix and INBOX, without prefix entries.</summary>
    [Test]
    public void ListOfEverythingIsThePersonalDirectoryAndInbox()
    {
        var all = _store.List("", "*");
        Assert.That(all.Select(i => i.Name).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "Drafts", "INBOX", "work", "work/projects" }));
        Assert.That(all.Single(i => i.Name == "INBOX").Attributes.HasFlag(MailboxAttributes.Noinferiors), Is.True);
    }
}
