using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Maildir;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>
/// LIST's walk over maildir folders: the shortcuts (no readlink for entries that are not links,
/// no mbox probe of directories, patterns without a memo) list exactly what the long way did.
/// </summary>
public class ListWalkTests
{
    private string _root = null!;
    private string _mail = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "imap4d-listwalk-" + Guid.NewGuid().ToString("N"));
        _mail = Path.Combine(_root, "home", "mail");
        var driver = new MaildirDriver();
        foreach (string name in new[] { "INBOX", "Archive", "Archive/2024", "Archive/2025", "Archivex", "Lists/dev" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_mail, name))!);
            driver.Create(Path.Combine(_mail, name), (UnixFileMode)0x1C0);
        }

        string outside = Path.Combine(_root, "outside");
        driver.Create(outside, (UnixFileMode)0x1C0);
        Directory.CreateSymbolicLink(Path.Combine(_mail, "escape"), outside);
        Directory.CreateSymbolicLink(Path.Combine(_mail, "Alias"), Path.Combine(_mail, "Archive", "2024"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", "maildir", null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = "maildir://$home/mail/INBOX" },
        };
        return new MailStore(settings, "demo", Path.Combine(_root, "home"), [new Imap4d.Storage.Mbox.MboxDriver(), new MaildirDriver()], _ => null);
    }

    private List<string> Names(string pattern) => NewStore().List("", pattern).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();

    [Test]
    public void StarListsEveryFolderAndNoLinkLeadingOut()
    {
        Assert.That(Names("*"), Is.EqualTo(new[] { "Alias", "Archive", "Archive/2024", "Archive/2025", "Archivex", "INBOX", "Lists", "Lists/dev" }));
        var attributes = NewStore().List("", "*").ToDictionary(m => m.Name, m => m.Attributes);
        Assert.That(attributes["Archive"].HasFlag(MailboxAttributes.HasChildren), Is.True);
        Assert.That(attributes["Archive/2024"].HasFlag(MailboxAttributes.HasNoChildren), Is.True);
        Assert.That(attributes["Lists"].HasFlag(MailboxAttributes.Noselect), Is.True, "a plain directory, no maildir");
    }

    [Test]
    public void PatternsKeepTheirMeaning()
    {
        Assert.That(Names("Archive/*"), Is.EqualTo(new[] { "Archive/2024", "Archive/2025" }));
        Assert.That(Names("Archive*"), Is.EqualTo(new[] { "Archive", "Archive/2024", "Archive/2025", "Archivex" }));
        Assert.That(Names("Archive"), Is.EqualTo(new[] { "Archive" }));
        Assert.That(Names("Archive/%"), Is.EqualTo(new[] { "Archive/2024", "Archive/2025" }));
        Assert.That(Names("%"), Is.EqualTo(new[] { "Alias", "Archive", "Archivex", "INBOX", "Lists" }));
        Assert.That(Names("*/20*"), Is.EqualTo(new[] { "Archive/2024", "Archive/2025" }));
        Assert.That(Names("inbox"), Is.EqualTo(new[] { "INBOX" }));
    }
}
