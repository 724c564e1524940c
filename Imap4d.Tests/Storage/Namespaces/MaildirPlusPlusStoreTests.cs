using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;
using Imap4d.Tests.Config;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>`layout maildir++`: folders as ~/Maildir/.A.B beside the INBOX maildir, as Courier and Dovecot keep them.</summary>
public class MaildirPlusPlusStoreTests
{
    private string _home = null!;
    private string _maildir = null!;
    private MailStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _home = Path.Combine(Path.GetTempPath(), "imap4d-mdpp-" + Guid.NewGuid().ToString("N"));
        _maildir = Path.Combine(_home, "Maildir");
        Directory.CreateDirectory(_home);
        var settings = ConfigText.Bind("""
            mailbox { mailbox-pattern "maildir://$home/Maildir"; };
            namespace personal {
              prefix "" { directory "$home/Maildir"; delimiter "/"; mailbox-type maildir; layout maildir++; };
            };
            """, out var warnings);
        Assert.That(warnings, Is.Empty);
        Assert.That(settings.Namespaces.Personal[0].MaildirPlusPlus, Is.True);
        _store = new MailStore(settings, "demo", _home, MailDrivers.CreateDefault(), _ => null);
        using var inbox = _store.Open("INBOX", readOnly: false);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_home, recursive: true);

    private List<string> Names(string pattern = "*") => _store.List("", pattern).Select(i => i.Name).ToList();

    [Test]
    public void FoldersAreDotDirectoriesBesideInbox()
    {
        _store.Create("Sent");
        _store.Create("Work/Reports");
        Assert.That(Directory.Exists(Path.Combine(_maildir, ".Sent", "cur")), Is.True);
        Assert.That(File.Exists(Path.Combine(_maildir, ".Work.Reports", "maildirfolder")), Is.True);
        Assert.That(Names(), Is.EquivalentTo(new[] { "INBOX", "Sent", "Work", "Work/Reports" }));
        var work = _store.List("", "Work").Single();
        Assert.That(work.Attributes.HasFlag(MailboxAttributes.Noselect), Is.True, "a parent without its own maildir");
        Assert.That(work.Attributes.HasFlag(MailboxAttributes.HasChildren), Is.True);
        Assert.That(Names("%"), Is.EquivalentTo(new[] { "INBOX", "Sent", "Work" }));
    }

    [Test]
    public void MessagesGoToTheFolderMaildir()
    {
        _store.Create("Sent");
        using (var sent = _store.Open("Sent", readOnly: true))
        {
            sent.Append(new MemoryStream("Subject: s\r\n\r\nx\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.Now);
        }

        Assert.That(Directory.EnumerateFiles(Path.Combine(_maildir, ".Sent", "cur")).Count(), Is.EqualTo(1));
        Assert.That(_store.Status("Sent").Messages, Is.EqualTo(1u));
        Assert.That(_store.Status("INBOX").Messages, Is.Zero);
    }

    [Test]
    public void RenameMovesChildrenAndDeleteRemoves()
    {
        _store.Create("Work");
        _store.Create("Work/Reports");
        _store.Rename("Work", "Archive");
        Assert.That(Names(), Is.EquivalentTo(new[] { "INBOX", "Archive", "Archive/Reports" }));
        Assert.That(Directory.Exists(Path.Combine(_maildir, ".Archive.Reports")), Is.True);
        _store.Delete("Archive/Reports");
        Assert.That(Names(), Is.EquivalentTo(new[] { "INBOX", "Archive" }));
    }

    [TestCase("a.b")]
    [TestCase("../x")]
    [TestCase(".hidden")]
    public void NamesThatCannotBeDotFoldersAreRefused(string name)
    {
        var e = Assert.Throws<StorageException>(() => _store.Create(name));
        Assert.That(e!.Error, Is.EqualTo(StorageError.NoPermission));
    }
}
