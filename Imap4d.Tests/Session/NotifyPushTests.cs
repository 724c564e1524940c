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
        NotifyPush.BatchLimit = 1024 * 1024;
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
    public async Task AnOwnAppendDoesNotHideWhatAnotherProgramDidElsewhere()
    {
        CreateMailbox("a");
        CreateMailbox("b");
        Run();
        Assert.That(await CommandAsync("n", "NOTIFY SET (mailboxes (a b) (MessageNew MessageExpunge))"), Is.EqualTo(new[] { "n OK NOTIFY completed" }));
        Send("x APPEND b {15}");
        Assert.That(await ReadLineAsync(), Does.StartWith("+ "));
        Append("a"); // while the client's own APPEND to b is under way
        await Task.Delay(200);
        Send("Subject: x\r\n\r\nx");
        var lines = await ReadUntilTaggedAsync("x");
        Assert.That(lines[^1], Does.StartWith("x OK"));
        Assert.That(lines, Has.Some.EqualTo("* STATUS a (MESSAGES 1 UIDNEXT 2 UNSEEN 1)"), string.Join(" | ", lines));
        Assert.That(lines, Has.None.StartWith("* STATUS b"), "the client's own APPEND is not news to it (RFC 5465 §5)");
    }

    [Test]
    public async Task AClientThatDoesNotReadGetsNotificationOverflow()
    {
        // Each new message comes with its body (MessageNew's fetch), so the socket's small
        // buffers fill after a few of them.
        await SelectBigWithNewMessagesPushedToASlowReaderAsync();

        // The client reads nothing while 100 messages of 4 kB arrive.
        const int Appended = 100;
        string body = string.Concat(Enumerable.Repeat(new string('b', 70) + "\r\n", 58));
        for (int i = 0; i < Appended; i++)
        {
            Append("big", body);
            await Task.Delay(2);
        }

        await Task.Delay(NotifyPush.StallLimit * 2);
        int fetches = 0;
        long bytes = 0;
        string? line;
        while ((line = await ReadLineAsync()) is not null && !line.StartsWith("* OK [NOTIFICATIONOVERFLOW]", StringComparison.Ordinal))
        {
            fetches += line.Contains("BODY[]") ? 1 : 0;
            bytes += line.Length + 2;
        }

        Assert.That(line, Does.StartWith("* OK [NOTIFICATIONOVERFLOW]"), $"{fetches} messages fetched of {Appended}");
        TestContext.Out.WriteLine($"{Appended} messages, {fetches} pushed ({bytes} bytes) before the overflow");
        Assert.That(fetches, Is.LessThan(Appended), "what the server queued for a client that does not read is bounded");

        // NOTIFY is off (§5.8: as after NOTIFY NONE): the rest is announced the ordinary way, and the session goes on.
        var noop = await CommandAsync("x", "NOOP");
        Assert.That(noop[^1], Is.EqualTo("x OK NOOP Completed"));
        Assert.That(noop, Has.Some.EqualTo($"* {Appended} EXISTS").And.None.Contains("BODY[]"), string.Join(" | ", noop.Take(5)));
    }

    [Test]
    public async Task AClientThatStopsReadingInsideOneBatchLargerThanTheSocketBufferGetsNotificationOverflow()
    {
        // One message of 200 kB is one event larger than the writer's 64 kB: written synchronously,
        // it would block the session until the client reads, and the overflow would never come.
        await SelectBigWithNewMessagesPushedToASlowReaderAsync();
        string body = string.Concat(Enumerable.Repeat(new string('b', 98) + "\r\n", 2000));
        Append("big", body);
        await Task.Delay(100);
        Append("big", body);

        await Task.Delay(NotifyPush.StallLimit * 4);
        string? line;
        int fetches = 0;
        while ((line = await ReadLineAsync()) is not null && !line.StartsWith("* OK [NOTIFICATIONOVERFLOW]", StringComparison.Ordinal))
        {
            fetches += line.Contains("BODY[]") ? 1 : 0;
        }

        Assert.That(line, Does.StartWith("* OK [NOTIFICATIONOVERFLOW]"), $"{fetches} messages fetched");
        var noop = await CommandAsync("x", "NOOP");
        Assert.That(noop[^1], Is.EqualTo("x OK NOOP Completed"));
    }

    [Test]
    public async Task ABatchLargerThanWhatMayWaitInMemoryEndsTheSessionInsteadOfBlockingIt()
    {
        NotifyPush.BatchLimit = 64 * 1024;
        await SelectBigWithNewMessagesPushedToASlowReaderAsync();
        Append("big", string.Concat(Enumerable.Repeat(new string('b', 98) + "\r\n", 3000)));

        // The client never reads: the session gives up on it within the stall limit and ends.
        Assert.That(await Task.WhenAny(_session!, Task.Delay(Bound)), Is.SameAs(_session), "the session ended instead of blocking in its write");
    }

    private void CreateMailbox(string name) => _store.Create(name);

    /// <summary>
    /// Small socket buffers and a short stall limit, mailbox "big" selected, and NOTIFY pushing each
    /// new message with its body (MessageNew's fetch), so a client that stops reading fills the socket fast.
    /// </summary>
    private async Task SelectBigWithNewMessagesPushedToASlowReaderAsync()
    {
        NotifyPush.StallLimit = TimeSpan.FromMilliseconds(300);
        _pair.Server.SendBufferSize = 4096;
        _pair.Client.ReceiveBufferSize = 4096;
        CreateMailbox("big");
        Run();
        Assert.That((await CommandAsync("s", "SELECT big"))[^1], Does.StartWith("s OK"));
        Assert.That(await CommandAsync("n", "NOTIFY SET (selected (MessageNew (UID BODY.PEEK[]) MessageExpunge))"), Is.EqualTo(new[] { "n OK NOTIFY completed" }));
    }

    /// <summary>A message appended by another program (a store of its own, as another process has).</summary>
    private void Append(string mailbox, string body = "x\r\n")
    {
        using var box = DiskSessions.NewStore("maildir", _root).Open(mailbox, readOnly: true);
        box.Append(new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\r\n\r\n" + body)), FlagSet.Empty, DateTimeOffset.UtcNow);
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
