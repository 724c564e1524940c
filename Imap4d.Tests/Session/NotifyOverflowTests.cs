using Imap4d.Auth;
using Imap4d.Commands.Notify;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// NOTIFICATIONOVERFLOW (RFC 5465 §3.1, §5.8) on maildirs: refused at NOTIFY SET when too many
/// mailboxes match or must be polled (more than the watcher's limit of directories), and turned
/// off later (untagged OK, then as NOTIFY NONE) when the mailboxes matched grow beyond the limit.
/// </summary>
[NonParallelizable]
public class NotifyOverflowTests
{
    private string _root = null!;
    private IMailStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _root = Path.Combine(Path.GetTempPath(), $"imap4d-notify-overflow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        _store = DiskSessions.NewStore("maildir", _root);
        _store.Open("INBOX", readOnly: true).Dispose(); // made on first open
        _store.Create("a");
        _store.Create("b");
    }

    [TearDown]
    public void Restore()
    {
        NotifyMonitor.MaxMailboxes = 1000;
        NotifyMonitor.MaxPolled = 100;
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task TooManyMailboxesAreRefused()
    {
        NotifyMonitor.MaxMailboxes = 2;
        await using var client = await ClientAsync();
        var lines = await client.CommandAsync("1", "NOTIFY SET STATUS (personal (MessageNew MessageExpunge))");
        Assert.That(lines, Is.EqualTo(new[] { "1 NO [NOTIFICATIONOVERFLOW] Too many mailboxes to watch" }));
        Assert.That(await client.CommandAsync("2", "NOTIFY SET STATUS (mailboxes (a b) (MessageNew MessageExpunge))"), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task TooManyPolledMailboxesAreRefused()
    {
        // Each maildir takes two watched directories: beyond ChangeWatcher.MaxWatches the rest are polled.
        for (int i = 0; i < 50; i++)
        {
            _store.Create($"m{i:D2}");
        }

        NotifyMonitor.MaxPolled = 2;
        await using var client = await ClientAsync();
        var lines = await client.CommandAsync("1", "NOTIFY SET (personal (MessageNew MessageExpunge))");
        Assert.That(lines[^1], Is.EqualTo("1 NO [NOTIFICATIONOVERFLOW] Too many mailboxes to watch"));
        NotifyMonitor.MaxPolled = 100;
        Assert.That((await client.CommandAsync("2", "NOTIFY SET (personal (MessageNew MessageExpunge))"))[^1], Is.EqualTo("2 OK NOTIFY completed"));
    }

    [Test]
    public async Task GrowingBeyondTheLimitEndsNotifications()
    {
        NotifyMonitor.MaxMailboxes = 3;
        await using var client = await ClientAsync();
        Assert.That((await client.CommandAsync("1", "NOTIFY SET (personal (MessageNew MessageExpunge MailboxName))"))[^1], Is.EqualTo("1 OK NOTIFY completed"));
        var lines = await client.CommandAsync("2", "CREATE c");
        Assert.That(lines, Has.Some.StartWith("* OK [NOTIFICATIONOVERFLOW]"), string.Join(" | ", lines));
        Assert.That(lines[^1], Does.StartWith("2 OK"));
        using (var box = DiskSessions.NewStore("maildir", _root).Open("a", readOnly: true))
        {
            box.Append(new MemoryStream("Subject: y\r\n\r\ny\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow);
        }

        await Task.Delay(300);
        Assert.That(client.HasUnreadOutput, Is.False, "nothing pushed: NOTIFY is off");
        Assert.That(await client.CommandAsync("3", "NOOP"), Is.EqualTo(new[] { "3 OK NOOP Completed" }), "as after NOTIFY NONE");
    }

    private async Task<TestClient> ClientAsync()
    {
        var client = new TestClient(start: new SessionStart(new UserInfo("demo", _root), false), storeFactory: _ => _store);
        await client.ReadLineAsync();
        return client;
    }
}
