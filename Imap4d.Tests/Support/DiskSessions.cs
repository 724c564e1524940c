using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Support;

/// <summary>
/// In-process sessions of user "demo" on a mail store on disk under one directory, each with a
/// store of its own, as two server processes have: for tests of what one session sees of another's changes.
/// </summary>
public static class DiskSessions
{
    /// <summary>A store whose personal namespace and INBOX, in format <paramref name="type"/>, are under <paramref name="root"/>.</summary>
    public static MailStore NewStore(string type, string root)
    {
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', root, type, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = $"{type}://{root}/INBOX" },
        };
        return new MailStore(settings, "demo", root, MailDrivers.CreateDefault(), _ => null);
    }

    /// <summary>A preauthenticated session on its own store, its greeting read.</summary>
    public static async Task<TestClient> ClientAsync(string type, string root)
    {
        var store = NewStore(type, root);
        var client = new TestClient(start: new SessionStart(new UserInfo("demo", root), false), storeFactory: _ => store);
        await client.ReadLineAsync();
        return client;
    }

    /// <summary>A session as <see cref="ClientAsync"/> with INBOX selected.</summary>
    public static async Task<TestClient> SelectedClientAsync(string type, string root)
    {
        var client = await ClientAsync(type, root);
        var select = await client.CommandAsync("s", "SELECT INBOX");
        Assert.That(select[^1], Does.StartWith("s OK"), string.Join("\n", select));
        return client;
    }
}
