using System.Text;
using Imap4d.Auth;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Storage.Memory;
using Imap4d.Storage.Namespaces;

namespace Imap4d.Tests.Support;

/// <summary>
/// A user's mail store whose mailboxes live in memory (under a temporary root that holds
/// only folders), with an empty INBOX, for command tests. Removes its root when disposed.
/// </summary>
public sealed class MemoryMailStore : IDisposable
{
    /// <param name="label">Part of the temporary root's name.</param>
    /// <param name="withFetchCache">Mailboxes keep a FETCH cache file under the root, as disk drivers do.</param>
    public MemoryMailStore(string label, bool withFetchCache = false)
    {
        Root = Path.Combine(Path.GetTempPath(), $"imap4d-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Driver = new MemoryDriver { CacheDirectory = withFetchCache ? Root : null };
        var settings = new ServerSettings
        {
            Namespaces = new NamespaceSettings([new NamespacePrefix(NamespaceKind.Personal, "", '/', Root, null, null)], [], []),
            Mailbox = new MailboxSettings { MailboxPattern = Root + "/INBOX" },
        };
        Store = new MailStore(settings, "demo", Root, [Driver], _ => null);
        Driver.Create(Path.Combine(Root, "INBOX"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Root { get; }

    public MemoryDriver Driver { get; }

    public MailStore Store { get; }

    /// <summary>Appends a message (UTF-8 text) to a mailbox of this store.</summary>
    public void Append(string mailbox, string message, FlagSet flags, DateTimeOffset date)
    {
        // Read-only: appending must not claim the new messages as \Recent for this helper.
        using var box = Store.Open(mailbox, readOnly: true);
        box.Append(new MemoryStream(Encoding.UTF8.GetBytes(message)), flags, date);
    }

    /// <summary>A session preauthenticated as "demo" on this store.</summary>
    public TestClient NewClient() =>
        new(start: new SessionStart(new UserInfo("demo", Root), false), storeFactory: _ => Store);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
