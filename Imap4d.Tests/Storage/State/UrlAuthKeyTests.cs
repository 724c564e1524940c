using Imap4d.Config;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Storage.State;

/// <summary>
/// RFC 4467 mailbox access keys: kept in the user's state directory in a file of mode 0600
/// (directory 0700), one per mailbox, stable until RESETKEY, following RENAME, gone with DELETE.
/// </summary>
public class UrlAuthKeyTests
{
    private string _root = null!;
    private string _home = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("i4-urlauth-").FullName;
        _home = Path.Combine(_root, "home");
        Directory.CreateDirectory(Path.Combine(_home, "mail"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private MailStore NewStore()
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings(
                [new NamespacePrefix(NamespaceKind.Personal, "", '/', "$home/mail", "mbox", null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = "mbox://$home/mail/INBOX" },
        };
        return new MailStore(settings, "demo", _home, MailDrivers.CreateDefault(), _ => null);
    }

    private string KeyFile => Path.Combine(_home, ".imap4d", MailStore.UrlAuthKeyFileName);

    [Test]
    public void TheKeyFileIsPrivateToTheUser()
    {
        var store = NewStore();
        store.Create("Drafts");
        Assert.That(store.UrlAuthKey("Drafts", create: false), Is.Null, "no key before one is asked for");
        byte[]? key = store.UrlAuthKey("Drafts", create: true);
        Assert.That(key, Has.Length.EqualTo(32));
        Assert.That(File.GetUnixFileMode(KeyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(Path.GetDirectoryName(KeyFile)!), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));

        // A file someone opened up is narrowed again when it is next written.
        File.SetUnixFileMode(KeyFile, (UnixFileMode)0x1a4); // 0644
        store.UrlAuthKey("INBOX", create: true);
        Assert.That(File.GetUnixFileMode(KeyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void KeysAreStablePerMailboxUntilReset()
    {
        var store = NewStore();
        store.Create("Drafts");
        byte[] inbox = store.UrlAuthKey("inbox", create: true)!;
        byte[] drafts = store.UrlAuthKey("Drafts", create: true)!;
        Assert.That(drafts, Is.Not.EqualTo(inbox));
        Assert.That(NewStore().UrlAuthKey("INBOX", create: true), Is.EqualTo(inbox), "another session of the user sees the same key");

        store.ResetUrlAuthKeys("INBOX");
        Assert.That(store.UrlAuthKey("INBOX", create: false), Is.Null);
        Assert.That(store.UrlAuthKey("INBOX", create: true), Is.Not.EqualTo(inbox));
        Assert.That(store.UrlAuthKey("Drafts", create: false), Is.EqualTo(drafts), "resetting one mailbox leaves the others");

        store.ResetUrlAuthKeys(null);
        Assert.That(store.UrlAuthKey("INBOX", create: false), Is.Null);
        Assert.That(store.UrlAuthKey("Drafts", create: false), Is.Null);
    }

    [Test]
    public void KeysFollowRenameAndGoWithDelete()
    {
        var store = NewStore();
        store.Create("Old");
        byte[] key = store.UrlAuthKey("Old", create: true)!;
        store.Rename("Old", "New");
        Assert.That(store.UrlAuthKey("New", create: false), Is.EqualTo(key));
        store.Delete("New");
        store.Create("New");
        Assert.That(store.UrlAuthKey("New", create: false), Is.Null, "a new mailbox of an old name is another mailbox");
    }
}
