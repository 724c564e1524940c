using Imap4d.Auth;
using Imap4d.Storage;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Storage.Namespaces;

/// <summary>RFC 8474 MAILBOXID and the special-use attributes kept per user: through RENAME, DELETE and re-CREATE.</summary>
public class MailboxIdTests
{
    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void IdFollowsRenameAndANewMailboxOfAnOldNameGetsANewOne(string type)
    {
        using var mail = new TranscriptMailStore(type);
        var store = mail.For(mail.Settings, new UserInfo("demo", mail.HomeOf("demo")));
        store.Create("A", [@"\Trash"]);
        string id = store.MailboxId("A");
        Assert.That(store.MailboxId("A"), Is.EqualTo(id), "asked twice");
        Assert.That(id, Does.Match("^[A-Za-z0-9_-]{1,255}$"), "RFC 8474 objectid");

        store.Rename("A", "B");
        Assert.That(store.MailboxId("B"), Is.EqualTo(id));
        Assert.That(store.Describe("B").SpecialUse, Is.EqualTo(@"\Trash"));
        Assert.Throws<StorageException>(() => store.MailboxId("A"));

        store.Create("A");
        Assert.That(store.MailboxId("A"), Is.Not.EqualTo(id));
        Assert.That(store.Describe("A").SpecialUse, Is.Null);

        store.Delete("B");
        store.Create("B");
        Assert.That(store.MailboxId("B"), Is.Not.EqualTo(id), "re-created after DELETE");
        Assert.That(store.Describe("B").SpecialUse, Is.Null, "DELETE dropped the special use");
        Assert.That(store.MailboxId("INBOX"), Is.Not.Empty.And.Not.EqualTo(id));
    }
}
