using System.Text;
using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Commands.Notify;
using Imap4d.Config;
using Imap4d.Session;
using Imap4d.Storage;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>
/// NOTIFY's events between commands, outside IDLE (RFC 5465 §5), over a real socket: they come
/// without a command, never inside a command the client is still sending, and a client that
/// does not read gets NOTIFICATIONOVERFLOW (§5.8) instead of a server buffering without bound.
/// The mailboxes are maildirs, watched with inotify.
/// </summary>
[NonParallelizable]
public class NotifyPushTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private string _root = null!;
    private IMailStore _store = null!;
    private SocketPair _pair = null!;
    private Task? _session;
    private StreamReader _reader = null!;

    [SetUp]
    public async Task Start()
    {
        _root = Path.Combine(Path.GetTempPath(), $"imap4d-notify-push-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_root);
        _store = DiskSessions.NewStore("maildir", _root);
        _pair = await SocketPair.CreateAsync();
    }

    [TearDown]
    public async Task Stop()
    {
        NotifyPush.StallLimit = TimeSpan.FromSeconds(30);
        _pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Both);
        _pair.Dispose();
        await Task.WhenAny(_session ?? Task.CompletedTask, Task.Delay(Bound));
        Directory.Delete(_root, recursive: true);
    }

    [Test]
    public async Task EventsComeWithoutACommandButNeverInsideOne()
    {
        CreateMailbox("a");
        CreateMailbox("b");
        Run();
        Assert.That(await CommandAsync("n", "NOTIFY SET (mailboxes (a b) (MessageNew MessageExpunge))"), Is.EqualTo(new[] { "n OK NOTIFY completed" }));

        Append("a");
        Assert.That(await ReadLineAsync(), Is.EqualTo("* STATUS a (MESSAGES 1 UIDNEXT 2 UNSEEN 1)"), "pushed with no command");

        // A command the client is still sending (its literal) is not interrupted.
        Send("s STATUS {1}");
        Assert.That(await ReadLineAsync(), Does.StartWith("+ "));
        Append("a");
        await Task.Delay(300);
        Assert.That(_pair.Client.Available, Is.Zero, "nothing between the continuation and the literal");
        Send("b (MESSAGES)");
        Assert.That(await ReadUntilTaggedAsync("s"), Is.EqualTo(new[]
        {
            "* STATUS b (MESSAGES 0)",
            "* STATUS a (MESSAGES 2 UIDNEXT 3 UNSEEN 2)",
            "s OK STATUS Completed",
        }));
    }

    [Test]
    public async Task AClientThatDoesNotReadGetsNotificationOverflow()
    {
        // Long names make long STATUS lines, so that the socket's small buffers fill in a moment.
        string name = new('m', 200);
        NotifyPush.StallLimit = TimeSpan.FromMilliseconds(300);
        _pair.Server.SendBufferSize = 4096;
        _pair.Client.ReceiveBufferSize = 4096;
        CreateMailbox(name);
        Run();
        Assert.That(await CommandAsync("n", $"NOTIFY SET (mailboxes {name} (MessageNew MessageExpunge))"), Is.EqualTo(new[] { "n OK NOTIFY completed" }));

        // The client reads nothing while thousands of changes happen.
        int appended = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until)
        {
            Append(name);
            appended++;
            await Task.Delay(1);
        }

        await Task.Delay(NotifyPush.StallLimit * 2);
        var lines = new List<string>();
        long bytes = 0;
        string? line;
        while ((line = await ReadLineAsync()) is not null && !line.StartsWith("* OK [NOTIFICATIONOVERFLOW]", StringComparison.Ordinal))
        {
            Assert.That(line, Does.StartWith($"* STATUS {name} (MESSAGES "));
            lines.Add(line);
            bytes += line.Length + 2;
        }

        Assert.That(line, Does.StartWith("* OK [NOTIFICATIONOVERFLOW]"), $"{lines.Count} events read, {appended} changes");
        TestContext.Out.WriteLine($"{appended} changes, {lines.Count} events ({bytes} bytes) before the overflow");
        Assert.That(bytes, Is.LessThan(1024 * 1024), "what the server queued for a client that does not read is bounded");

        // NOTIFY is off (§5.8: as after NOTIFY NONE), and the session goes on.
        Append(name);
        await Task.Delay(100);
        Assert.That(await CommandAsync("x", "NOOP"), Is.EqualTo(new[] { "x OK NOOP Completed" }));
    }

    private void CreateMailbox(string name) => _store.Create(name);

    /// <summary>A message appended by another program (a store of its own, as another process has).</summary>
    private void Append(string mailbox)
    {
        using var box = DiskSessions.NewStore("maildir", _root).Open(mailbox, readOnly: true);
        box.Append(new MemoryStream("Subject: x\r\n\r\nx\r\n"u8.ToArray()), FlagSet.Empty, DateTimeOffset.UtcNow);
    }

    /// <summary>Starts a session preauthenticated as "demo" on the socket's server end and reads the greeting.</summary>
    private void Run()
    {
        var services = new SessionServices
        {
            Settings = new ServerSettings(),
            Authenticator = new StaticAuthenticator(("demo", "demo")),
            StoreFactory = _ => _store,
        };
        var session = new ImapSession(services, CommandRegistry.CreateDefault());
        var start = new SessionStart(new UserInfo("demo", _root), false);
        _session = Task.Run(() => session.RunAsync(_pair.ServerStream, _pair.ServerStream, start, CancellationToken.None));
        _reader = new StreamReader(_pair.ClientStream, Encoding.Latin1);
        Assert.That(ReadLineAsync().GetAwaiter().GetResult(), Does.StartWith("* PREAUTH"));
    }

    private void Send(string line) => _pair.ClientStream.Write(Encoding.ASCII.GetBytes(line + "\r\n"));

    private async Task<List<string>> CommandAsync(string tag, string command)
    {
        Send(tag + " " + command);
        return await ReadUntilTaggedAsync(tag);
    }

    private async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                break;
            }
        }

        return lines;
    }

    private async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
