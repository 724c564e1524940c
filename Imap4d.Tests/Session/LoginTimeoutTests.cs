using Imap4d.Config;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Session;

/// <summary>`login-timeout` applies before authentication only; `timeout` after.</summary>
public class LoginTimeoutTests
{
    private static readonly ServerSettings Settings = new() { IdleTimeout = TimeSpan.FromSeconds(30), LoginTimeout = TimeSpan.FromMilliseconds(500) };

    [Test]
    public async Task UnauthenticatedIdleSessionGetsBye()
    {
        await using var client = new TestClient(Settings);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(await client.ReadLineAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("* BYE Session timed out"));
        Assert.That(await client.ReadLineAsync(), Is.Null);
    }

    [Test]
    public async Task AuthenticatedSessionSurvivesTheSameWait()
    {
        await using var client = new TestClient(Settings);
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That((await client.CommandAsync("a", "LOGIN demo demo"))[^1], Does.StartWith("a OK"));
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        Assert.That(client.HasUnreadOutput, Is.False);
        Assert.That(await client.CommandAsync("b", "NOOP"), Is.EqualTo(new[] { "b OK NOOP Completed" }));
    }

    [Test]
    public async Task TheShorterTimeoutWinsBeforeLogin()
    {
        await using var client = new TestClient(new ServerSettings { IdleTimeout = TimeSpan.FromMilliseconds(300), LoginTimeout = TimeSpan.FromMinutes(5) });
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("* OK IMAP4rev1"));
        Assert.That(await client.ReadLineAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("* BYE Session timed out"));
    }
}
